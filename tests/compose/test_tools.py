"""A compose binary missing from the virtualenv fails the tests in CI and skips them locally."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.compose.tools import COMPOSE_BINARY, venv_tool


def test_installed_binary_is_found() -> None:
    assert venv_tool(COMPOSE_BINARY).name == COMPOSE_BINARY


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_missing_binary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match=COMPOSE_BINARY):
        venv_tool(COMPOSE_BINARY)
