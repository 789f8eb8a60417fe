"""Locate the libraries of the SLI-truth apps, installed by `scripts/install-app-deps.sh`.

Python apps run with the virtualenv `$OBSC_TOOLS_DIR/apps/python-<digest>/`, where digest is
the first 12 hex digits of the sha256 of `tests/frameworks/apps/python/requirements.txt`. A
missing one is a missing real tool: skipped locally, a failure under CI=true.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from tests.realtools import TOOLS_DIR, missing_tool

APPS: Final = Path(__file__).resolve().parent / "apps"
INSTALL_HINT: Final = "run scripts/install-app-deps.sh"


def python_env() -> Path:
    """The virtualenv with the Python apps' pinned libraries."""
    requirements = (APPS / "python" / "requirements.txt").read_bytes()
    venv = TOOLS_DIR / "apps" / f"python-{hashlib.sha256(requirements).hexdigest()[:12]}"
    if not (venv / ".complete").is_file():
        missing_tool(f"the Python apps' libraries are not installed at {venv}; {INSTALL_HINT}")
    return venv
