"""`obsc init`: scaffold a config repository that works on the first `obsc render`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from compiler.errors import UsageError
from compiler.scaffold.source import WHEEL_DIR, ObscSource
from compiler.version import __version__

CUE_VERSION = "v0.17.1"


@dataclass(frozen=True, slots=True)
class Scaffold:
    """What `obsc init` wrote."""

    root: Path
    files: tuple[str, ...]


def _render_template(name: str, values: dict[str, str]) -> str:
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


def scaffold_files(root: Path, source: ObscSource) -> dict[str, str]:
    """Every text file of a new config repository, by repo-relative path."""
    from compiler.output.canonical import dump_json
    from compiler.spec.schema import spec_json_schema

    values = {
        "project": _project_name(root),
        "team": "platform",
        "service": "example-api",
        "version": __version__,
        "cue_version": CUE_VERSION,
        "source": source.requirement,
        "source_description": source.description,
    }
    files = {
        "specs/project.yaml": _render_template("project.yaml.j2", values),
        "specs/services/example-api.yaml": _render_template("service.yaml.j2", values),
        "schemas/obsc.schema.json": dump_json(spec_json_schema()).decode("utf-8"),
        ".github/workflows/obsc.yml": _render_template("workflow.yml.j2", values),
        ".pre-commit-config.yaml": _render_template("pre-commit-config.yaml.j2", values),
        ".gitignore": _render_template("gitignore.j2", values),
        "README.md": _render_template("README.md.j2", values),
    }
    files.update(_default_policies())
    return files


def init_repository(root: Path, source: ObscSource) -> Scaffold:
    """Write a new config repository into `root`; refuses to overwrite anything.

    A wheel `source` is copied under `.github/obsc/`, where the workflow installs it from.
    """
    files = scaffold_files(root, source)
    wheel = f"{WHEEL_DIR}/{source.wheel.name}" if source.wheel is not None else None
    existing = sorted(rel for rel in (*files, *([wheel] if wheel else [])) if (root / rel).exists())
    if existing:
        raise UsageError(
            f"{root} already has {', '.join(existing[:5])}"
            + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
            + "; obsc init only writes into a new or empty repository"
        )
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if wheel is not None and source.wheel is not None:
        (root / wheel).parent.mkdir(parents=True, exist_ok=True)
        (root / wheel).write_bytes(source.wheel.read_bytes())
        return Scaffold(root, tuple(sorted((*files, wheel))))
    return Scaffold(root, tuple(sorted(files)))
