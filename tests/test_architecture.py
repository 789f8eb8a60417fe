"""Dependencies point one way: only the pipeline knows the target registry."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_compiler_does_not_import_targets_outside_the_pipeline() -> None:
    offenders = []
    for source in sorted((ROOT / "compiler").rglob("*.py")):
        if source.name == "pipeline.py":
            continue
        if re.search(r"^\s*(from|import) targets\b", source.read_text(), re.M):
            offenders.append(source.relative_to(ROOT).as_posix())
    assert offenders == []


def test_targets_import_only_the_model_errors_and_output() -> None:
    allowed = ("compiler.model", "compiler.errors", "compiler.output", "compiler.burn")
    for source in sorted((ROOT / "targets").rglob("*.py")):
        for module in re.findall(r"^\s*from (compiler[\w.]*) import", source.read_text(), re.M):
            assert module.startswith(allowed), f"{source}: imports {module}"


def test_version_matches_pyproject() -> None:
    from compiler.version import __version__

    assert f'version = "{__version__}"' in (ROOT / "pyproject.toml").read_text()
