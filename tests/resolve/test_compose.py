"""`spec.compose`: the user's compose file read into the model, defects reported as OBSC316."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.errors import SpecError
from compiler.pipeline import load_estate
from compiler.resolve.compose import ComposeFileError, parse_user_compose, published_ports
from tests.conftest import FIXTURES

ESTATE = FIXTURES / "compose" / "estate"
USER_FILE = "deploy/app/docker-compose.yml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "estate"
    shutil.copytree(ESTATE, root)
    return root


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_the_model_knows_the_users_compose_project(repo: Path) -> None:
    compose = load_estate(repo).resolved.environments["dev"].compose
    assert compose is not None
    assert compose.file == USER_FILE
    assert compose.root == "../.."
    assert compose.services == ("cache", "db", "web", "worker")
    assert compose.published_ports == (3000, 3001, 5432, 9090, 9091)
    assert compose.network == "shared-edge"
    assert compose.ports == (("prometheus", 9090),)


def test_without_compose_section_there_is_no_compose_model(minimal_repo: Path) -> None:
    assert load_estate(minimal_repo).resolved.environments["dev"].compose is None


def test_the_compose_file_counts_in_the_input_digest(repo: Path) -> None:
    before = load_estate(repo).resolved.input_digest
    user_file = repo / USER_FILE
    user_file.write_text(user_file.read_text() + "# a comment changes the bytes\n")
    assert load_estate(repo).resolved.input_digest != before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("services: [unclosed\n", "not valid YAML"),
        ("version: '3'\n", "no `services` mapping"),
        ("services:\n  web: [a, b]\n", "service 'web' is not a mapping"),
        ("services:\n  web:\n    ports: '80:80'\n", "`ports` is not a list"),
    ],
)
def test_an_unusable_compose_file_is_obsc316_at_the_file_line(
    repo: Path, content: str | None, message: str
) -> None:
    user_file = repo / USER_FILE
    if content is None:
        user_file.unlink()
    else:
        user_file.write_text(content)
    with pytest.raises(SpecError) as caught:
        load_estate(repo)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "OBSC316"
    assert message in diagnostic.message
    project = repo / "specs" / "project.yaml"
    assert diagnostic.location.file == "specs/project.yaml"
    assert diagnostic.location.line == _line_of(project, "file: deploy/app/docker-compose.yml")


@pytest.mark.parametrize("path", ["../outside/docker-compose.yml", "/etc/compose.yml"])
def test_a_compose_file_outside_the_repository_is_refused(repo: Path, path: str) -> None:
    project = repo / "specs" / "project.yaml"
    project.write_text(project.read_text().replace(USER_FILE, path))
    with pytest.raises(SpecError) as caught:
        load_estate(repo)
    assert [d.code for d in caught.value.diagnostics] == ["OBSC316"]
    assert "inside the repository" in caught.value.diagnostics[0].message


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (["3000:80", "127.0.0.1:3001:80", "[::1]:3002:80/udp"], {3000, 3001, 3002}),
        (["80", 8080, "127.0.0.1::80"], set()),
        (["8000-8002:80-82"], {8000, 8001, 8002}),
        (
            [{"target": 80, "published": 9000}, {"target": 81, "published": "9001-9002"}],
            {9000, 9001, 9002},
        ),
        ([{"target": 80}], set()),
        (["${WEB_PORT:-3000}:80"], set()),
    ],
)
def test_published_host_ports(entries: list[object], expected: set[int]) -> None:
    assert published_ports(entries) == expected


def test_parse_keeps_service_names_sorted() -> None:
    parsed = parse_user_compose("x.yml", b"services:\n  b: {image: x}\n  a:\n")
    assert parsed.services == ("a", "b")
    with pytest.raises(ComposeFileError):
        parse_user_compose("x.yml", b"- just a list\n")


def test_a_user_service_named_like_the_stack_is_obsc317(repo: Path) -> None:
    user_file = repo / USER_FILE
    user_file.write_text(user_file.read_text().replace("  cache:\n", "  prometheus:\n"))
    with pytest.raises(SpecError) as caught:
        load_estate(repo)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "OBSC317"
    assert "services named prometheus" in diagnostic.message
