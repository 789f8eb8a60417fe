"""Shared fixtures: scratch config repos and an in-process `obsc` runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from compiler.cli.main import main
from tests.realtools import real_tool  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass(frozen=True)
class Run:
    """The outcome of one `obsc` invocation."""

    code: int
    out: str
    err: str


ObscRunner = Callable[..., Run]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A bare `pytest` leaves the tests marked slow out, so the default local run is fast.

    Naming paths or nodes runs every test in them, and any `-m` decides alone: the whole
    suite is `pytest -m "slow or not slow"`, which scripts/test.sh (and so .ci/run) runs.
    """
    if config.option.markexpr or config.args_source is pytest.Config.ArgsSource.ARGS:
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


@pytest.fixture(autouse=True)
def _render_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own cache directory (compiler.build.store), never ~/.cache."""
    monkeypatch.setenv("OBSC_CACHE_DIR", str(tmp_path / "obsc-cache"))


@pytest.fixture
def obsc(capsys: pytest.CaptureFixture[str]) -> ObscRunner:
    """Run `obsc ARGS...` in-process through the real entry point, capturing its output."""

    def run(*args: str | Path) -> Run:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def minimal_repo(tmp_path: Path) -> Path:
    """A small valid config repo: one project, one flask service."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "minimal", repo)
    return repo


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """A copy of the project's own example estate with its committed rendered/."""
    repo = tmp_path / "example"
    shutil.copytree(ROOT / "specs", repo / "specs")
    shutil.copytree(ROOT / "deploy", repo / "deploy")  # the manifests prod lists
    if (ROOT / "rendered").is_dir():
        shutil.copytree(ROOT / "rendered", repo / "rendered")
    return repo


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path -> bytes), for before/after comparisons."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
