"""The user's compose project (`spec.compose`): read its file once, resolve it into the model.

Reading is the one I/O of resolve, done by the pipeline before the passes run so that the
file's bytes count in the input digest; `resolve_compose` itself is pure. Only what the
`compose` target needs is kept: the services' names and the host ports they publish.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from compiler.errors import OS_REFUSED, DiagnosticSink
from compiler.model import ComposeModel
from compiler.spec.files import UnreadableInput, read_input
from compiler.spec.models import Compose, ProjectDocument
from compiler.spec.paths import spec_path
from compiler.spec.validate import Parsed

FILE_PATH = ("spec", "compose", "file")
#: The services the compose target's overlay adds (docs/contracts.md); a user service of the
#: same name would be merged into the stack's.
STACK_SERVICES = ("otel-collector", "prometheus", "alertmanager", "loki", "tempo", "grafana")
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


@dataclass(frozen=True, slots=True)
class UserCompose:
    """The user's compose file as read: its bytes (for the digest) and what obsc uses."""

    file: str
    raw: bytes
    services: tuple[str, ...]
    published_ports: tuple[int, ...]


class ComposeFileError(ValueError):
    """The compose file cannot be used; the message says why."""


def read_user_compose(
    repo: Path, project: Parsed[ProjectDocument], sink: DiagnosticSink
) -> UserCompose | None:
    """The compose file the Project names, or None; a defect is an OBSC316 error."""
    compose = project.model.spec.compose
    if compose is None or compose.file is None:
        return None
    doc = project.document
    try:
        user = parse_user_compose(compose.file, _read(repo, compose.file))
    except UnreadableInput as problem:
        code = OS_REFUSED if problem.by_os else "OBSC316"
        sink.error(
            code,
            f"compose file {compose.file!r}: {problem.message}",
            doc.location(FILE_PATH),
            spec_path(doc, FILE_PATH),
            hint=problem.hint,
        )
        return None
    except ComposeFileError as exc:
        sink.error(
            "OBSC316",
            f"compose file {compose.file!r}: {exc}",
            doc.location(FILE_PATH),
            spec_path(doc, FILE_PATH),
            hint="compose.file is the user's compose file, relative to the repository root",
        )
        return None
    taken = sorted(set(user.services) & set(STACK_SERVICES))
    if taken:
        sink.error(
            "OBSC317",
            f"compose file {compose.file!r} has services named {', '.join(taken)}, which the "
            "compose target's stack adds (the overlay would merge into them)",
            doc.location(FILE_PATH),
            spec_path(doc, FILE_PATH),
            hint="rename those services in your compose file",
        )
    return user


def _read(repo: Path, file: str) -> bytes:
    relative = PurePosixPath(file)
    if relative.is_absolute() or ".." in relative.parts:
        raise ComposeFileError("must be a relative path inside the repository")
    return read_input(repo / relative, root=repo)


def parse_user_compose(file: str, raw: bytes) -> UserCompose:
    """Service names and published host ports of a compose file (ComposeFileError if bad)."""
    try:
        data = YAML(typ="safe", pure=True).load(raw)
    except YAMLError as exc:
        raise ComposeFileError(f"not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:  # the pure-Python composer recurses in Python: no crash
        raise ComposeFileError("nested too deep") from None
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        raise ComposeFileError("not a compose file: no `services` mapping at the top level")
    services: dict[str, object] = data["services"]
    ports: set[int] = set()
    for name, service in services.items():
        if not isinstance(name, str) or not isinstance(service, dict | None):
            raise ComposeFileError(f"service {name!r} is not a mapping")
        declared = (service or {}).get("ports") or []
        if not isinstance(declared, list):
            raise ComposeFileError(f"service {name!r}: `ports` is not a list")
        ports.update(published_ports(declared))
    return UserCompose(file, raw, tuple(sorted(services)), tuple(sorted(ports)))


def published_ports(entries: Iterable[object]) -> set[int]:
    """Host ports published by a service's `ports` (short and long syntax, ranges).

    Ports written with variables (`${PORT}:80`) cannot be known here and are skipped.
    """
    found: set[int] = set()
    for entry in entries:
        if isinstance(entry, dict):
            published = entry.get("published")
            host = str(published) if published is not None else ""
        elif isinstance(entry, str):
            host = _short_syntax_host_port(entry)
        else:  # a bare container port (int): published on an ephemeral host port
            host = ""
        match = _RANGE.match(host)
        if match:
            first = int(match.group(1))
            found.update(range(first, int(match.group(2) or first) + 1))
    return found


def _short_syntax_host_port(entry: str) -> str:
    """`[IP:][HOST:]CONTAINER[/PROTOCOL]` -> HOST (empty when there is none)."""
    parts = entry.split("/", 1)[0].rsplit(":", 2)
    return parts[-2] if len(parts) >= 2 else ""


def resolve_compose(spec: Compose | None, user: UserCompose | None) -> ComposeModel | None:
    """The compose part of the model; None when the Project has no `compose` section."""
    if spec is None:
        return None
    project_dir = PurePosixPath(spec.file).parent if spec.file else PurePosixPath(".")
    depth = len(project_dir.parts)
    return ComposeModel(
        file=spec.file,
        root="/".join([".."] * depth) if depth else ".",
        services=user.services if user is not None else None,
        published_ports=user.published_ports if user is not None else (),
        network=spec.network,
        ports=tuple(sorted(spec.ports.items())),
    )
