"""A rendered copy of tests/fixtures/verify per test, and a healthy fake stack for it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler.cli.main import main
from tests.conftest import FIXTURES
from tests.verify.stack import FakeStack, fake_stack


@pytest.fixture(scope="module")
def rendered_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/verify rendered once per module (into its own rendered/)."""
    repo = tmp_path_factory.mktemp("verify-template") / "repo"
    shutil.copytree(FIXTURES / "verify", repo, ignore=shutil.ignore_patterns("alertmanager"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OBSC_CACHE_DIR", str(repo.parent / "cache"))
        with pytest.raises(SystemExit) as exited:
            main(["--repo", str(repo), "--quiet", "render"])
    assert exited.value.code == 0
    return repo


@pytest.fixture
def repo(rendered_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the rendered repo."""
    copy = tmp_path / "repo"
    shutil.copytree(rendered_template, copy)
    return copy


@pytest.fixture
def stack(repo: Path) -> Iterator[FakeStack]:
    """A healthy stack for dev, Alertmanager running exactly the rendered file."""
    env_dir = repo / "rendered" / "dev"
    with fake_stack(env_dir, (env_dir / "alerts" / "alertmanager.yaml").read_text()) as fakes:
        yield fakes
