"""Fixtures for `obsc detect` tests: recorded inputs and the command on the CLI group."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def detect_registered() -> Iterator[None]:
    """Make sure `obsc detect` is on the group (main.py registers it; this is a fallback)."""
    from compiler.cli.detect_cmd import detect_command
    from compiler.cli.main import cli

    added = "detect" not in cli.commands
    if added:
        cli.add_command(detect_command)
    yield
    if added:
        cli.commands.pop("detect", None)
