"""Services resolved before, recalled by what they were resolved from instead of resolved again.

After one SLO changed in an estate of 10,000 services, resolving every service of both
environments again took 2.6 s of the 9 s of CPU of `obsc diff`. Resolving one service in one
environment reads only its spec document, its snapshot, the framework database, the Project
(environments, alerting, the instrumentation namespace), the user's compose file and the
compiler (compiler.resolve). A record per spec file and environment keeps every service of
that file as resolved there (the model's JSON text), under the digest of all of those inputs: the
file's bytes and name, the snapshot file of each of its services, every file holding any
document other than a Service or a Snapshot (the Project, framework definitions, kinds to
come), the compose file and the compiler. A later load takes those services from the record.

Only a file whose services all resolved without a diagnostic is recorded, so a load reports
exactly the diagnostics of a full resolve, in the same order; and a record is complete for
its file and environment, so a key either gives every service of the file or none.
Provenance is not recorded: a recalled service's is computed when asked (`obsc explain`,
a policy violation's location; compiler.resolve.LazyProvenance).

A service is recorded as the text `model_dump_json` wrote, not as parsed JSON: the render
keys each service's files by the digest of that text (compiler.build.fingerprint.
model_digest), so a recalled service's digest is the digest of the text it was validated
from, made once here rather than by serialising 20,000 models again in every render worker
(0.3 s of CPU each at 10,000 services). The text is the service's own: a model validated
from it is the model it digests, so a record cannot pair a model with another's key.

A record is data from a directory others may write (a shared CI cache, a pull request):
each service is validated again by the model (pydantic from plain JSON, so a planted record
cannot run code), and a record of any other shape is ignored with a warning (OBSC020) and
its services resolved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError

from compiler.build import fingerprint, store
from compiler.build.known import ignored_record
from compiler.errors import Diagnostic
from compiler.model import ResolvedService
from compiler.resolve.memo import DISABLED
from compiler.spec.validate import SpecSet

NAMESPACE = "resolved-services"

Recalled = ResolvedService | Literal["disabled"]  # DISABLED: switched off in the environment


@dataclass(frozen=True, slots=True)
class FileInputs:
    """A spec file of Service documents and what its services are resolved from besides it."""

    display: str
    digest: str  # of the file's bytes
    services: tuple[str, ...]  # the names of its Service documents, in file order
    snapshots: tuple[str, ...]  # per service: "<snapshot file>#<index>@<digest>", or ""


@dataclass
class ResolvedRecords:
    """The records of one load: recall by (file, environment), keep what was resolved.

    `context` is the digest of what every service is resolved from (see the module doc).
    """

    context: str
    files: Mapping[str, FileInputs]  # by display name
    warnings: list[Diagnostic] = field(default_factory=list)
    digests: dict[int, tuple[ResolvedService, str]] = field(default_factory=dict)  # by id
    _recalled: dict[tuple[str, str], dict[str, Recalled] | None] = field(default_factory=dict)
    _kept: dict[tuple[str, str], dict[str, Recalled]] = field(default_factory=dict)
    _spoke: set[str] = field(default_factory=set)

    def key(self, file: str, environment: str) -> str:
        """The key of one file's services in one environment."""
        inputs = self.files[file]
        return store.content_key(
            "resolved-services",
            fingerprint.compiler_fingerprint(),
            self.context,
            environment,
            inputs.display,
            inputs.digest,
            "\n".join(inputs.services),
            "\n".join(inputs.snapshots),
        )

    def recall(self, file: str, environment: str, service: str) -> Recalled | None:
        """The service as resolved before in `environment`, DISABLED, or None to resolve it."""
        if file not in self.files:
            return None
        slot = (file, environment)
        if slot not in self._recalled:
            self._recalled[slot] = self._read(file, environment)
        services = self._recalled[slot]
        return None if services is None else services.get(service)

    def keep(
        self, file: str, environment: str, service: str, resolved: ResolvedService | None
    ) -> None:
        """What a service resolved to, None when switched off (recorded by `save`)."""
        if file in self.files and self._recalled.get((file, environment)) is None:
            kept = self._kept.setdefault((file, environment), {})
            kept[service] = DISABLED if resolved is None else resolved

    def spoke(self, file: str) -> None:
        """A service of `file` reported a diagnostic: the file is not recorded."""
        self._spoke.add(file)

    def save(self) -> None:
        """Record every file whose services were all resolved, silently, in this load."""
        for (file, environment), services in self._kept.items():
            inputs = self.files[file]
            if file in self._spoke or set(services) != set(inputs.services):
                continue
            value = [self._as_json(name, services[name]) for name in inputs.services]
            store.put_record(NAMESPACE, self.key(file, environment), value)

    def _as_json(self, name: str, resolved: Recalled) -> dict[str, object]:
        if isinstance(resolved, str):
            return {"name": name, "disabled": True}
        text = resolved.model_dump_json()
        self.digests[id(resolved)] = (resolved, fingerprint.text_digest(text))
        return {"name": name, "model": text}

    def _read(self, file: str, environment: str) -> dict[str, Recalled] | None:
        key = self.key(file, environment)
        try:
            value = store.read_record(NAMESPACE, key)
            if value is None:
                return None
            return _services(value, self.files[file].services, self.digests)
        except (store.BadRecord, ValidationError, RecursionError) as problem:
            path = store.record_path(NAMESPACE, key)
            self.warnings.append(ignored_record(path, problem, f"{file} (resolved again)"))
            return None


def _services(
    value: object, names: Iterable[str], digests: dict[int, tuple[ResolvedService, str]]
) -> dict[str, Recalled]:
    """The services of a record, checked; BadRecord when it is not what `save` wrote.

    Each model's digest is added to `digests` (by the model's id).
    """
    expected = list(names)
    if not isinstance(value, list) or len(value) != len(expected):
        raise store.BadRecord("not a list of the file's services")
    services: dict[str, Recalled] = {}
    for item, name in zip(value, expected, strict=True):
        if not isinstance(item, dict) or item.get("name") != name:
            raise store.BadRecord("not a service of the file")
        if item.get("disabled") is True and len(item) == 2:
            services[name] = DISABLED
            continue
        text = item.get("model")
        if not isinstance(text, str):
            raise store.BadRecord("a service without its model")
        resolved = ResolvedService.model_validate_json(text)
        if resolved.name != name:
            raise store.BadRecord("a service under another's name")
        services[name] = resolved
        digests[id(resolved)] = (resolved, fingerprint.text_digest(text))
    return services


def records_for(
    specs: SpecSet, digests: Mapping[str, str], compose_digest: str = ""
) -> ResolvedRecords:
    """The records of a load of `specs` (`digests`: each spec file's, by display name)."""
    snapshots = {parsed.model.metadata.name: parsed.document for parsed in specs.snapshots}
    context_files = sorted(
        {
            parsed.document.file
            for name, group in vars(specs).items()
            if isinstance(group, list) and name not in ("services", "snapshots")
            for parsed in group
        }
    )
    context = store.content_key(
        compose_digest, *(f"{file}@{digests.get(file, '')}" for file in context_files)
    )
    by_file: dict[str, list[str]] = {}
    for parsed in specs.services:
        by_file.setdefault(parsed.document.file, []).append(parsed.model.metadata.name)
    files = {}
    for file, names in by_file.items():
        if file not in digests:
            continue
        marks = []
        for name in names:
            snapshot = snapshots.get(name)
            marks.append(
                ""
                if snapshot is None
                else f"{snapshot.file}#{snapshot.index}@{digests.get(snapshot.file, '')}"
            )
        files[file] = FileInputs(file, digests[file], tuple(names), tuple(marks))
    return ResolvedRecords(context, files)
