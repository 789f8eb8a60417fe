"""`obsc init`: scaffold a config repository that works on the first `obsc render`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.errors import UsageError
from compiler.scaffold.source import WHEEL_DIR, ObscSource

if TYPE_CHECKING:
    from compiler.scaffold.onboard import Onboarding
from compiler.version import __version__

CUE_VERSION = "v0.17.1"


@dataclass(frozen=True, slots=True)
class Scaffold:
    """What `obsc init` wrote: each file with what happened to it."""

    root: Path
    files: tuple[str, ...]
    statuses: dict[str, str] = field(default_factory=dict)
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _render_template(name: str, values: dict[str, str | None]) -> str:
    import jinja2  # lazy: only init needs it

    text = resources.files("compiler.scaffold").joinpath("templates", name).read_text("utf-8")
    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    return environment.from_string(text).render(**values)


def _default_policies() -> dict[str, str]:
    folder = resources.files("compiler.policies").joinpath("default")
    return {
        f"policies/{entry.name}": entry.read_text("utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".cue")
    }


def _project_name(root: Path) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", root.resolve().name.lower()).strip("-")
    return name[:63].strip("-") or "observability"


def scaffold_files(
    root: Path, source: ObscSource, onboarding: Onboarding | None = None
) -> dict[str, str]:
    """Every text file of a new config repository, by repo-relative path.

    With `onboarding`, the Project joins the detected compose project (or renders a Helm
    chart for the Kubernetes one) and there is no example Service: the detected ones are
    written by `init_repository`.
    """
    from compiler.output.canonical import dump_json
    from compiler.spec.schema import spec_json_schema

    compose = onboarding is not None and onboarding.compose_file is not None
    kubernetes = onboarding is not None and not compose
    values = {
        "project": onboarding.project_name if onboarding else _project_name(root),
        "team": "platform",
        "service": "example-api",
        "version": __version__,
        "cue_version": CUE_VERSION,
        "source": source.requirement,
        "source_description": source.description,
        "dev_targets": ", ".join(_targets(with_compose=compose)),
        "prod_targets": ", ".join(_targets(with_helm=kubernetes)),
        "compose_file": onboarding.compose_file if onboarding else None,
    }
    files = {
        "specs/project.yaml": _render_template("project.yaml.j2", values),
        "schemas/obsc.schema.json": dump_json(spec_json_schema()).decode("utf-8"),
        ".github/workflows/obsc.yml": _render_template("workflow.yml.j2", values),
        ".pre-commit-config.yaml": _render_template("pre-commit-config.yaml.j2", values),
        ".gitignore": _render_template("gitignore.j2", values),
        "README.md": _render_template("README.md.j2", values),
    }
    if onboarding is None:
        files["specs/services/example-api.yaml"] = _render_template("service.yaml.j2", values)
    files.update(_default_policies())
    return dict(sorted(files.items()))


def _targets(with_compose: bool = False, with_helm: bool = False) -> list[str]:
    """The targets of an environment; compose and helm package collector, alerts, grafana."""
    if with_compose:
        return ["model", "collector", "alerts", "grafana", "compose"]
    if with_helm:
        return ["model", "collector", "alerts", "grafana", "helm"]
    return ["model", "alerts", "grafana"]


def init_repository(
    root: Path, source: ObscSource, onboarding: Onboarding | None = None
) -> Scaffold:
    """Write a new config repository into `root`; refuses to overwrite anything.

    A wheel `source` is copied under `.github/obsc/`, where the workflow installs it from.
    With `onboarding` (`--from-compose`, `--from-k8s`) it may run again on the same
    repository: see `_onboard_repository`.
    """
    files = scaffold_files(root, source, onboarding)
    if source.wheel is not None:
        files[f"{WHEEL_DIR}/{source.wheel.name}"] = ""
    if onboarding is not None:
        return _onboard_repository(root, source, onboarding, files)
    existing = sorted(rel for rel in files if (root / rel).exists())
    if existing:
        raise UsageError(
            f"{root} already has {', '.join(existing[:5])}"
            + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
            + "; obsc init only writes into a new or empty repository"
        )
    for rel, text in files.items():
        _write_new(root, rel, text, source)
    return Scaffold(root, tuple(sorted(files)))


def _write_new(root: Path, rel: str, text: str, source: ObscSource) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if source.wheel is not None and rel == f"{WHEEL_DIR}/{source.wheel.name}":
        path.write_bytes(source.wheel.read_bytes())
    else:
        path.write_text(text, encoding="utf-8")


def _onboard_repository(
    root: Path, source: ObscSource, onboarding: Onboarding, files: dict[str, str]
) -> Scaffold:
    """Write what is missing, regenerate the specs nobody edited, keep everything else.

    The Project and Service specs carry a digest stamp (compiler.scaffold.generated); the
    snapshots follow `obsc detect --write`'s rule; the other files are written only when
    absent (a person may have changed the workflow or the policies).
    """
    from compiler.detect.snapshots import write_snapshots
    from compiler.scaffold.generated import stamp_document, write_generated
    from compiler.scaffold.onboard import write_services

    statuses: dict[str, str] = {}
    for rel, text in files.items():
        if rel == "specs/project.yaml":
            statuses[rel] = write_generated(root / rel, stamp_document(text))
        elif (root / rel).exists():
            statuses[rel] = "kept"
        else:
            _write_new(root, rel, text, source)
            statuses[rel] = "created"
    notes: dict[str, tuple[str, ...]] = {}
    if statuses["specs/project.yaml"] == "kept" and onboarding.compose_file is not None:
        notes["specs/project.yaml"] = (
            f"kept as a person wrote it: set spec.compose.file to {onboarding.compose_file!r} "
            "and list the compose target (with collector, alerts, grafana) in an environment",
        )
    for service in write_services(root, onboarding):
        statuses[service.path] = service.status
        notes[service.path] = service.notes
    for snapshot in write_snapshots(onboarding.detections, root / "snapshots"):
        statuses[snapshot.path.relative_to(root).as_posix()] = snapshot.status
    return Scaffold(root, tuple(sorted(statuses)), dict(sorted(statuses.items())), notes)
