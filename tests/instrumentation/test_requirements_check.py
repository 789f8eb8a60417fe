"""`obsc detect --source` warns when dependencies lack what the instrumentation needs."""

from __future__ import annotations

import json
from pathlib import Path

from compiler.detect import detect
from tests.conftest import ObscRunner

FLASK_OTEL = (
    "opentelemetry-distro, opentelemetry-exporter-otlp, opentelemetry-instrumentation-flask"
)


def _instrumentation_warnings(path: Path) -> list[str]:
    (detection,) = detect("source", path)
    return [w for w in detection.warnings if "zero-code instrumentation" in w]


def test_a_flask_project_without_the_opentelemetry_packages_is_warned(
    tmp_path: Path, obsc: ObscRunner
) -> None:
    (tmp_path / "requirements.txt").write_text("Flask==3.1.3\ngunicorn==23.0.0\n")
    (warning,) = _instrumentation_warnings(tmp_path)
    assert warning.startswith(f"requirements.txt declares no {FLASK_OTEL}, which the flask")
    assert "spec.instrumentation.inject" in warning
    run = obsc("detect", "--source", tmp_path)
    assert run.code == 0, run.err
    assert "warning: " in run.err and "opentelemetry-instrumentation-flask" in run.err


def test_only_the_missing_packages_are_named_and_names_compare_as_pypi_does(
    tmp_path: Path,
) -> None:
    (tmp_path / "requirements.txt").write_text(
        "flask\nOpenTelemetry_Distro==0.55b0\nopentelemetry.exporter.otlp\n"
    )
    (warning,) = _instrumentation_warnings(tmp_path)
    assert "declares no opentelemetry-instrumentation-flask, which" in warning


def test_a_complete_python_project_is_not_warned(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "1"\ndependencies = ["fastapi", "uvicorn", '
        '"opentelemetry-distro", "opentelemetry-exporter-otlp", '
        '"opentelemetry-instrumentation-fastapi"]\n'
    )
    assert _instrumentation_warnings(tmp_path) == []


def test_a_node_project_without_the_auto_instrumentations_is_warned(tmp_path: Path) -> None:
    package = {"name": "api", "dependencies": {"express": "^4.21.0", "@opentelemetry/api": "1"}}
    (tmp_path / "package.json").write_text(json.dumps(package))
    (warning,) = _instrumentation_warnings(tmp_path)
    assert "package.json declares no @opentelemetry/auto-instrumentations-node," in warning


def test_languages_whose_requirements_are_not_packages_are_not_checked(tmp_path: Path) -> None:
    (tmp_path / "pom.xml").write_text(
        "<project><parent><groupId>org.springframework.boot</groupId>"
        "<artifactId>spring-boot-starter-parent</artifactId><version>3.3.0</version></parent>"
        "<dependencies><dependency><groupId>org.springframework.boot</groupId>"
        "<artifactId>spring-boot-starter-web</artifactId></dependency></dependencies></project>"
    )
    (detection,) = detect("source", tmp_path)
    assert detection.language == "java"
    assert _instrumentation_warnings(tmp_path) == []
