"""Policies: organisation rules in CUE, checked by `cue vet` against the resolved model.

One `cue vet` call per environment unifies schemas/model.cue (the exported model's closed
definitions), every policies/*.cue file and that environment's exported model. Errors are
translated into diagnostics at the spec line that set the offending value; a service's
`spec.waivers` entry turns a violation of the named rule into a reported waiver.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from compiler.errors import Diagnostic, DiagnosticSink, Location, PolicyError, SpecError, ToolError
from compiler.model import ResolvedEstate
from compiler.policies.cue import CueError, find_cue, parse_errors, run_vet
from compiler.policies.export import export_environment
from compiler.policies.rules import Rule, read_rules, rule_at
from compiler.policies.translate import locate
from compiler.spec.files import UnreadableInput, read_input, report_unreadable
from compiler.spec.loader import Document, decode_text
from compiler.spec.paths import spec_path
from compiler.spec.validate import did_you_mean

POLICY_DIR = "policies"
# a violation (its text without environments) -> the environments it occurs in
Violations = dict[Diagnostic, set[str]]
# cue messages that blame the policy, not the model: a constraint on a field that the
# closed model definitions do not have, or a reference to one
_POLICY_FAULTS = ("field not allowed", "undefined field")


@dataclass(frozen=True, slots=True)
class Waived:
    """A violation that a service waived, reported so reviewers see it."""

    rule: str
    service: str
    environment: str
    reason: str


@dataclass
class PolicyReport:
    """What the policy check found."""

    files: int = 0
    rules: list[Rule] = field(default_factory=list)
    waived: list[Waived] = field(default_factory=list)


def policy_files(repo: Path) -> list[Path]:
    """The repo's policy files, in a stable order."""
    folder = repo / POLICY_DIR
    return sorted(folder.glob("*.cue")) if folder.is_dir() else []


def model_cue_path() -> Path:
    """The shipped CUE definitions of the exported model."""
    return Path(str(resources.files("compiler.policies").joinpath("model.cue")))


def check_policies(
    repo: Path,
    estate: ResolvedEstate,
    services: dict[str, Document],
    project: Document,
) -> PolicyReport:
    """Check every environment; raise PolicyError (exit 3) with all violations at once."""
    files = policy_files(repo)
    report = PolicyReport(files=len(files))
    if not files:
        return report
    cue = find_cue()
    if cue is None:
        raise ToolError(
            f"{POLICY_DIR}/ has {len(files)} policy file(s) but the cue binary was not found: "
            "install cue (scripts/install-tools.sh), put it on PATH or set OBSC_CUE; "
            "--no-policies skips the check"
        )
    displays = [p.relative_to(repo).as_posix() for p in files]
    sink = DiagnosticSink()
    for path, display in zip(files, displays, strict=True):
        text = _read_policy(repo, path, display, sink)
        if text is not None:
            report.rules.extend(read_rules(text, display, path.stem))
    # before cue opens the files: it would wait forever on a FIFO, or read /dev/zero
    sink.raise_if_errors("policies")
    violations: Violations = {}
    _check_waivers(report.rules, services, sink)
    sink.raise_if_errors("policies")
    with tempfile.TemporaryDirectory(prefix="obsc-policies-") as scratch:
        for env_name, model in estate.environments.items():
            data_file = Path(scratch) / f"{env_name}.json"
            data_file.write_text(json.dumps(export_environment(model)), encoding="utf-8")
            code, output = run_vet(cue, [str(model_cue_path()), *displays, str(data_file)], repo)
            if code == 0:
                continue
            for error in parse_errors(output):
                _translate(error, env_name, estate, services, project, report, sink, violations)
    _raise(sink, violations)
    return report


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
    services: dict[str, Document],
    project: Document,
    report: PolicyReport,
    sink: DiagnosticSink,
    violations: Violations,
) -> None:
    rule, where = _policy_position(error, report.rules)
    if not error.path or any(text in error.message for text in _POLICY_FAULTS):
        sink.error(
            "OBSC400",
            f"policy file error: {error.message}",
            where or Location(POLICY_DIR),
            hint="the policy does not compile against the model; check its syntax and "
            "field names against schemas/model.cue",
        )
        return
    model = estate.environments[env_name]
    target = locate(error, model, estate.provenance, services, project)
    name = rule.name if rule else "unnamed rule"
    service = model.service(target.service) if target.service else None
    waivers = dict(service.waivers) if service else {}
    if target.service and name in waivers:
        report.waived.append(Waived(name, target.service, env_name, waivers[name]))
        return
    why = f"{rule.rationale} " if rule and rule.rationale else ""
    waive = (
        f"; or waive it: spec.waivers: [{{rule: {name}, reason: ...}}]" if target.service else ""
    )
    violation = Diagnostic(
        "OBSC401",
        f"policy {name}: {why}(cue: {error.message})",
        target.location,
        target.path,
        hint=f"the rule is at {where}{waive}",
    )
    violations.setdefault(violation, set()).add(env_name)


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
    # The same violation in several environments is one diagnostic naming them all.
    merged = [
        replace(violation, message=f"[{', '.join(sorted(envs))}] {violation.message}")
        for violation, envs in violations.items()
    ]
    if not merged:
        return
    count = len(merged)
    raise PolicyError(f"policies: {count} violation{'s' if count != 1 else ''}", merged)
