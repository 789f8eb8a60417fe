"""The policy check itself: cue started in the background, its errors translated to spec lines.

Its names are those of compiler.policies, which imports this module on first use: an
unchanged build recalls its policy report (compiler.build.known) without loading the
resolved model's classes or cue's runner.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from compiler.errors import Diagnostic, DiagnosticSink, Location, PolicyError, SpecError, ToolError
from compiler.gc_control import cyclic_gc_paused
from compiler.model import EnvironmentModel, ResolvedEstate, ResolvedService
from compiler.policies.chunked import PARALLEL_THRESHOLD, Setup, prepare, vet_environments
from compiler.policies.classify import classify
from compiler.policies.cue import POLICY_FAULTS, CueError, find_cue
from compiler.policies.rules import Rule, read_rules, rule_at
from compiler.policies.translate import locate
from compiler.policies.verdict import PolicyReport, Waived
from compiler.spec.files import (
    POLICY_DIR,
    UnreadableInput,
    policy_files,
    read_input,
    report_unreadable,
)
from compiler.spec.loader import Document, decode_text
from compiler.spec.paths import spec_path
from compiler.spec.validate import did_you_mean

# a violation (its text without environments) -> its diagnostic, the environments it occurs in
Violations = dict[tuple[str, Location, str, str], tuple[Diagnostic, set[str]]]


def model_cue_path() -> Path:
    """The shipped CUE definitions of the exported model."""
    return Path(str(resources.files("compiler.policies").joinpath("model.cue")))


def check_policies(
    repo: Path,
    estate: ResolvedEstate,
    services: dict[str, Document],
    project: Document,
    *,
    jobs: int | None = None,
) -> PolicyReport:
    """Check every environment; raise PolicyError (exit 3) with all violations at once.

    `jobs`: how many cue processes may run at once (default: the render's job policy,
    compiler.render.runner.job_count, which honours OBSC_JOBS).
    """
    return start_policies(repo, estate, services, project, jobs=jobs).result()


def start_policies(
    repo: Path,
    estate: ResolvedEstate,
    services: dict[str, Document],
    project: Document,
    *,
    jobs: int | None = None,
) -> PolicyCheck:
    """Start checking every environment; `result()` of what this returns finishes the check.

    What can be found without cue (an unreadable policy file, a waiver of an unknown rule,
    no cue binary) is raised here; cue runs in the background, so that a render can go on
    meanwhile (compiler.pipeline).
    """
    files = policy_files(repo)
    report = PolicyReport(files=len(files))
    if not files:
        return PolicyCheck(report)
    cue = find_cue()
    if cue is None:
        raise ToolError(
            f"{POLICY_DIR}/ has {len(files)} policy file(s) but the cue binary was not found: "
            "install cue (scripts/install-tools.sh), put it on PATH or set OBSC_CUE; "
            "--no-policies skips the check"
        )
    displays = [p.relative_to(repo).as_posix() for p in files]
    sink = DiagnosticSink()
    texts: list[str] = []
    for path, display in zip(files, displays, strict=True):
        text = _read_policy(repo, path, display, sink)
        if text is not None:
            texts.append(text)
            report.rules.extend(read_rules(text, display, path.stem))
    # before cue opens the files: it would wait forever on a FIFO, or read /dev/zero
    sink.raise_if_errors("policies")
    _check_waivers(report.rules, services, sink)
    sink.raise_if_errors("policies")
    per_service = all(classify(text).per_service for text in texts)
    if jobs is None:
        jobs = _job_count(sum(len(m.services) for m in estate.environments.values()))
    scratch = Path(tempfile.mkdtemp(prefix="obsc-policies-"))
    setup = _setup(cue, repo, displays, texts, scratch, jobs)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="obsc-policies")
    found = pool.submit(_vet, setup, estate.environments, per_service)
    pool.shutdown(wait=False)  # its thread ends with the check
    return PolicyCheck(report, _Running(estate, services, project), found)


def _vet(
    setup: Setup, models: Mapping[str, EnvironmentModel], per_service: bool
) -> dict[str, list[CueError]]:
    """What cue finds in each environment (run in the check's background thread).

    The thread leaves the cyclic collector as it is: pausing it is process-wide, and the
    main thread may be pausing and resuming it meanwhile.
    """
    try:
        return vet_environments(setup, prepare(models), per_service)
    finally:
        shutil.rmtree(setup.scratch, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class _Running:
    estate: ResolvedEstate
    services: dict[str, Document]
    project: Document


class PolicyCheck:
    """A policy check under way (`start_policies`)."""

    def __init__(
        self,
        report: PolicyReport,
        running: _Running | None = None,
        found: Future[dict[str, list[CueError]]] | None = None,
    ) -> None:
        self._report = report
        self._running = running
        self._found = found
        self._failure: BaseException | None = None

    def result(self) -> PolicyReport:
        """Wait for cue; the report, or PolicyError (exit 3) with every violation at once.

        Asked again, it answers the same without checking again.
        """
        running, self._running = self._running, None
        if running is not None and self._found is not None:
            try:
                self._finish(running, self._found.result())
            except BaseException as failure:
                self._failure = failure
                raise
        if self._failure is not None:
            raise self._failure
        return self._report

    def _finish(self, running: _Running, found: dict[str, list[CueError]]) -> None:
        report, estate = self._report, running.estate
        sink = DiagnosticSink()
        violations: Violations = {}
        with cyclic_gc_paused():
            for env_name, errors in found.items():
                by_name = {s.name: s for s in estate.environments[env_name].services}
                for error in errors:
                    _translate(
                        error,
                        env_name,
                        estate,
                        by_name,
                        running.services,
                        running.project,
                        report,
                        sink,
                        violations,
                    )
        _raise(sink, violations)


def _setup(
    cue: str,
    repo: Path,
    displays: list[str],
    texts: list[str],
    scratch: Path,
    jobs: int,
) -> Setup:
    """How to vet: the files, where, the cache context, how many processes."""
    root = repo.resolve()
    model = model_cue_path()
    identity = _binary_identity(cue)
    context = hashlib.sha256()
    for part in (
        identity,
        str(root),
        str(model),
        model.read_text(encoding="utf-8"),
        *displays,
        *texts,
    ):
        context.update(f"{len(part)}:{part}".encode())
    return Setup(cue, root, (str(model), *displays), context.hexdigest(), scratch.resolve(), jobs)


def _job_count(services: int) -> int:
    """The render's job policy (OBSC_JOBS) applied to `services` service-environments."""
    try:
        from compiler.render.runner import job_count
    except ImportError:  # pragma: no cover - a tree without the shared runner: one process
        return 1
    return job_count(services, PARALLEL_THRESHOLD)


def _binary_identity(cue: str) -> str:
    """Stands for the cue version: the binary's resolved path, size and modification time."""
    binary = Path(cue)
    try:
        stat = binary.stat()
    except OSError:
        return cue
    return f"{binary.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def _read_policy(repo: Path, path: Path, display: str, sink: DiagnosticSink) -> str | None:
    """A policy file's text, checked as every input is (compiler.spec.files); None if bad."""
    try:
        raw = read_input(path, root=repo)
    except UnreadableInput as problem:
        report_unreadable(problem, display, sink)
        return None
    return decode_text(raw, display, sink)


def _policy_position(error: CueError, rules: list[Rule]) -> tuple[Rule | None, Location | None]:
    for position in error.positions:
        file = position.file.removeprefix("./")
        if file.startswith(f"{POLICY_DIR}/"):
            return rule_at(rules, file, position.line), Location(
                file, position.line, position.column
            )
    return None, None


def _translate(
    error: CueError,
    env_name: str,
    estate: ResolvedEstate,
    by_name: dict[str, ResolvedService],
    services: dict[str, Document],
    project: Document,
    report: PolicyReport,
    sink: DiagnosticSink,
    violations: Violations,
) -> None:
    rule, where = _policy_position(error, report.rules)
    if not error.path or any(text in error.message for text in POLICY_FAULTS):
        sink.error(
            "OBSC400",
            f"policy file error: {error.message}",
            where or Location(POLICY_DIR),
            hint="the policy does not compile against the model; check its syntax and "
            "field names against schemas/model.cue",
        )
        return
    model = estate.environments[env_name]
    target = locate(error, model, estate.provenance, services, project, by_name)
    name = rule.name if rule else "unnamed rule"
    service = by_name.get(target.service) if target.service else None
    waivers = dict(service.waivers) if service else {}
    if target.service and name in waivers:
        report.waived.append(Waived(name, target.service, env_name, waivers[name]))
        return
    why = f"{rule.rationale} " if rule and rule.rationale else ""
    waive = (
        f"; or waive it: spec.waivers: [{{rule: {name}, reason: ...}}]" if target.service else ""
    )
    text = f"policy {name}: {why}(cue: {error.message})"
    hint = f"the rule is at {where}{waive}"
    # the same violation in another environment is the same Diagnostic: made once (making
    # one scans its text for secrets)
    key = (text, target.location, target.path, hint)
    if key not in violations:
        violations[key] = (
            Diagnostic("OBSC401", text, target.location, target.path, hint=hint),
            set(),
        )
    violations[key][1].add(env_name)


def _check_waivers(rules: list[Rule], services: dict[str, Document], sink: DiagnosticSink) -> None:
    """A waiver must name a rule that exists: a misspelt waiver would waive nothing."""
    known = sorted({r.name for r in rules})
    for document in services.values():
        for index, waiver in enumerate(document.data["spec"].get("waivers", [])):
            if waiver["rule"] in known:
                continue
            path = ("spec", "waivers", index, "rule")
            sink.error(
                "OBSC402",
                f"waiver for unknown policy rule {waiver['rule']!r} (rules: {', '.join(known)})",
                document.location(path),
                spec_path(document, path),
                hint=did_you_mean(waiver["rule"], known),
            )


def _raise(sink: DiagnosticSink, violations: Violations) -> None:
    errors = sink.errors
    if any(d.code == "OBSC400" for d in errors):
        raise SpecError(f"policies: {len(errors)} error(s) in policy files", sink.items)
    # The same violation in several environments is one diagnostic naming them all (texts
    # that differed only in a masked secret are one diagnostic too).
    environments: dict[Diagnostic, set[str]] = {}
    for violation, envs in violations.values():
        environments.setdefault(violation, set()).update(envs)
    merged = [
        replace(violation, message=f"[{', '.join(sorted(envs))}] {violation.message}")
        for violation, envs in environments.items()
    ]
    if not merged:
        return
    count = len(merged)
    raise PolicyError(f"policies: {count} violation{'s' if count != 1 else ''}", merged)
