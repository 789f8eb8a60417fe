"""Source trees: one minimal dependency file per framework of the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.detect import builtin_frameworks, detect
from compiler.detect.source import scan_source
from tests.detect.conftest import FIXTURES

SOURCES = FIXTURES / "sources"


def application_frameworks() -> list[str]:
    return sorted(
        f.metadata.name
        for f in builtin_frameworks()
        if f.spec.category == "application" and f.spec.detection
    )


def test_every_application_framework_has_a_source_fixture() -> None:
    assert sorted(p.name for p in SOURCES.iterdir()) == application_frameworks()


@pytest.mark.parametrize("framework", sorted(p.name for p in SOURCES.iterdir()))
def test_source_tree_detects_its_framework(framework: str) -> None:
    (detection,) = detect("source", SOURCES / framework)
    assert detection.framework == framework
    assert detection.confidence >= 0.5
    assert any("dependency" in e for e in detection.evidence)
    assert detection.source.startswith("source:")


@pytest.mark.parametrize(
    ("framework", "version"),
    [("flask", "3.0.3"), ("gin", "v1.9.1"), ("rails", "7.1.3"), ("quarkus", "3.8.2")],
)
def test_version_is_the_framework_dependency_version(framework: str, version: str) -> None:
    (detection,) = detect("source", SOURCES / framework)
    assert detection.version == version


def test_go_module_paths_match_by_prefix() -> None:
    (detection,) = detect("source", SOURCES / "echo")
    assert detection.framework == "echo"
    assert "github.com/labstack/echo/v4" in detection.evidence[0]


def test_other_manifest_formats(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[options]\ninstall_requires =\n    Django==5.0.3\n")
    (tmp_path / "setup.py").write_text("setup(install_requires=['fastapi>=0.100'])\n")
    (tmp_path / "build.gradle").write_text(
        "dependencies { implementation 'org.springframework.boot:spring-boot-starter-web' }\n"
    )
    (tmp_path / "Cargo.toml").write_text('[dependencies]\naxum = "0.7"\n')
    (tmp_path / "Procfile").write_text("web: gunicorn app:app\n")
    seen = scan_source(tmp_path, "x", "source:x")
    assert seen.dependencies["django"].version == "5.0.3"
    assert "fastapi" in seen.dependencies
    assert "org.springframework.boot:spring-boot-starter-web" in seen.dependencies
    assert seen.dependencies["axum"].version == "0.7"
    assert seen.commands == ["gunicorn app:app"]
    assert set(seen.languages) == {"python", "java", "rust"}


def test_a_broken_manifest_is_a_note_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{not json")
    (tmp_path / "pom.xml").write_text("<project><dependencies>")
    (detection,) = detect("source", tmp_path)
    assert detection.framework == "generic"
    assert any("package.json: could not be parsed" in e for e in detection.evidence)
    assert any("pom.xml: could not be parsed" in e for e in detection.evidence)


def test_pom_with_a_doctype_is_not_expanded(tmp_path: Path) -> None:
    (tmp_path / "pom.xml").write_text(
        '<!DOCTYPE p [<!ENTITY a "spring-boot-starter-web">]>'
        "<project><dependencies><dependency><artifactId>&a;</artifactId>"
        "</dependency></dependencies></project>"
    )
    (detection,) = detect("source", tmp_path)
    assert detection.framework == "generic"


def test_rust_without_a_known_framework_is_generic_rust(tmp_path: Path) -> None:
    """Rocket is not in the database: the answer is generic, with the language."""
    (tmp_path / "Cargo.toml").write_text(
        '[package]\nname = "x"\n[dependencies]\nrocket = "0.5"\ntokio = "1"\n'
    )
    (detection,) = detect("source", tmp_path)
    assert (detection.framework, detection.language) == ("generic", "rust")


def test_pip_compile_transitive_pins_are_not_the_apps_dependencies(tmp_path: Path) -> None:
    """Locust pulls in Flask for its UI: a load generator is not a Flask app."""
    (tmp_path / "requirements.txt").write_text(
        "flask==3.1.3\n"
        "    # via\n"
        "    #   flask-login\n"
        "    #   locust\n"
        "locust==2.37.0\n"
        "    # via -r requirements.in\n"
        "requests==2.32.3  # via -r requirements.in\n"
        "gunicorn==23.0.0\n"
        "werkzeug==3.1.3\n"
        "    # via flask\n"
        "jinja2==3.1.6  # via flask, locust\n"
    )
    seen = scan_source(tmp_path, "x", "source:x")
    assert "flask" not in seen.dependencies
    assert "werkzeug" not in seen.dependencies
    assert "jinja2" not in seen.dependencies
    assert seen.dependencies["locust"].version == "2.37.0"
    assert seen.dependencies["requests"].version == "2.32.3"
    assert seen.dependencies["gunicorn"].version == "23.0.0"  # hand-written: no annotation
