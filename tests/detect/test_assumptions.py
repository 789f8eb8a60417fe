"""`obsc detect --source` warns where a project's exporter is older than the database assumes."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.detect import detect
from compiler.detect.assumptions import older_than
from tests.conftest import ObscRunner

GO_MOD = """module example.com/shop

go 1.22

require (
\tgithub.com/gin-gonic/gin v1.9.1
\tgithub.com/zsais/go-gin-prometheus {version}
)
"""


@pytest.mark.parametrize(
    ("declared", "assumed", "older"),
    [
        ("v0.1.0", "v0.1.1-0", True),
        ("v0.1.1-0.20231002115522-d85b239a2d5e", "v0.1.1-0", False),
        ("v0.2.0", "v0.1.1-0", False),
        ("0.20.0", "0.23.2", True),
        ("0.23.2", "0.23.2", False),
        ("8.1.0", "8.1.0", False),
        ("2.4", "2.5.0", True),
        ("3.0.0rc1", "3.0.0", True),
        ("", "2.5.0", False),
        ("latest", "2.5.0", False),
    ],
)
def test_release_order(declared: str, assumed: str, older: bool) -> None:
    assert older_than(declared, assumed) is older


def test_gin_project_pinning_the_summary_release_is_warned(
    tmp_path: Path, obsc: ObscRunner
) -> None:
    (tmp_path / "go.mod").write_text(GO_MOD.format(version="v0.1.0"))
    (detection,) = detect("source", tmp_path)
    assert detection.framework == "gin"
    (warning,) = detection.warnings
    assert "go.mod declares github.com/zsais/go-gin-prometheus v0.1.0" in warning
    assert "older than v0.1.1-0" in warning
    assert "Recovery" in warning
    run = obsc("detect", "--source", tmp_path)
    assert run.code == 0, run.err
    assert "warning: " in run.err and "go-gin-prometheus v0.1.0" in run.err


def test_a_newer_exporter_is_not_warned(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text(GO_MOD.format(version="v0.1.1-0.20231002115522-d85b239a2d5e"))
    (detection,) = detect("source", tmp_path)
    assert detection.warnings == []


def test_python_names_compare_as_pypi_does(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("Flask==3.1.3\nprometheus_flask_exporter==0.20.0\n")
    (detection,) = detect("source", tmp_path)
    assert detection.framework == "flask"
    assert "prometheus_flask_exporter 0.20.0, older than 0.23.2" in detection.warnings[0]
