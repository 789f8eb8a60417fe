"""The estate-wide checks, run in a forked process while the estate resolves, report as before.

At 1,000 services and more, `load_estate` checks references (compiler.spec.crossref) in a
child process and resolves meanwhile, as if they were sound (pipeline._references_checked).
Whatever the references say must then be reported exactly as when they were checked first:
the same diagnostics in the same order, before anything resolve found or raised.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler import pipeline
from compiler.errors import SpecError, UsageError
from compiler.render import runner
from compiler.render.runner import cpus

PRODUCT = Path("specs/services/catalog/product-api.yaml")


def _replace(repo: Path, old: str, new: str) -> None:
    path = repo / PRODUCT
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _twin(repo: Path) -> None:
    shutil.copy(repo / PRODUCT, repo / PRODUCT.with_name("product-api-twin.yaml"))


def _unparseable_too(repo: Path) -> None:
    """A file that does not parse: nothing is resolved, the references are still checked."""
    _replace(repo, "framework: gin", "framework: nosuch")
    search = repo / PRODUCT.with_name("search.yaml")
    search.write_text(search.read_text() + "\n  oops: [unclosed\n")


BROKEN: dict[str, Callable[[Path], None]] = {
    "unknown framework": lambda repo: _replace(repo, "framework: gin", "framework: nosuch"),
    "a service twice": _twin,
    "nothing wrong": lambda _repo: None,
    "a file that does not parse and an unknown framework": _unparseable_too,
}


def _outcome(repo: Path, environments: tuple[str, ...] = ()) -> object:
    try:
        estate = pipeline.load_estate(repo, environments)
    except SpecError as failed:
        return ("SpecError", str(failed), failed.diagnostics)
    except UsageError as failed:
        return ("UsageError", str(failed))
    return ("ok", estate.warnings, estate.resolved)


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Check references apart from the smallest estate; the jobs each check was given."""
    if cpus() < 2:
        pytest.skip("one CPU: the references are always checked in this process")
    monkeypatch.setattr(pipeline, "CHECK_APART_FROM", 1)
    jobs: list[int] = []
    real = runner.in_child

    def counting(task: Callable[[], object], count: int) -> Callable[[], object]:
        jobs.append(count)
        return real(task, count)

    monkeypatch.setattr(runner, "in_child", counting)
    return jobs


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_references_checked_meanwhile_report_as_when_checked_first(
    example_repo: Path, forked: list[int], monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    BROKEN[broken](example_repo)
    meanwhile = _outcome(example_repo)
    unparseable = broken.startswith("a file that does not parse")
    assert forked == [1 if unparseable else cpus()]  # in a child process, when resolving
    monkeypatch.setenv("OBSC_JOBS", "1")
    first = _outcome(example_repo)
    assert forked[-1] == 1  # here, before resolving
    assert meanwhile == first
    assert (meanwhile[0] == "ok") == (broken == "nothing wrong")  # type: ignore[index]


def test_a_reference_finding_comes_before_an_unknown_environment(
    example_repo: Path, forked: list[int]
) -> None:
    """Resolving meanwhile meets the unknown name first; the references still win."""
    BROKEN["unknown framework"](example_repo)
    outcome = _outcome(example_repo, ("nowhere",))
    assert forked == [cpus()]
    assert outcome[0] == "SpecError"  # type: ignore[index]
    assert "nosuch" in str(outcome)
