"""Locate the pinned external tools installed by ``scripts/install-tools.sh``.

Tools live at ``$OBSC_TOOLS_DIR/<tool>-<version>/bin/<tool>`` (default
``~/.cache/obsc-tools``) with versions pinned in ``scripts/tools.versions``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Final, NoReturn, TypeAlias

import pytest

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
VERSIONS_FILE: Final = REPO_ROOT / "scripts" / "tools.versions"
COLLECTOR_MANIFEST: Final = REPO_ROOT / "scripts" / "otelcol-builder.yaml"
INSTALL_HINT: Final = "run scripts/install-tools.sh"

# What the `real_tool` fixture gives a test: `tool(name)` is the pinned binary's path.
Tool: TypeAlias = Callable[[str], Path]


def tools_dir() -> Path:
    """Return the tools cache: ``$OBSC_TOOLS_DIR`` or ``~/.cache/obsc-tools``."""
    env = os.environ.get("OBSC_TOOLS_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "obsc-tools"


def read_pins(path: Path = VERSIONS_FILE) -> dict[str, str]:
    """Parse ``name=version`` lines; ``#`` starts a comment, blank lines are ignored."""
    pins: dict[str, str] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = "".join(raw.split("#", 1)[0].split())
        if not line:
            continue
        name, sep, version = line.partition("=")
        if not sep or not name or not version:
            raise ValueError(f"{path}:{lineno}: expected name=version, got {raw!r}")
        pins[name] = version
    return pins


TOOLS_DIR: Final = tools_dir()
PINS: Final = read_pins()


def release_version(name: str) -> str:
    """The version tool `name` reports, without a "v" (`release_version` of install-tools.sh).

    Prometheus' Go module tags encode release X.Y.Z as v0.(100X+Y).Z: v0.307.3 is 3.7.3.
    """
    version = PINS[name].removeprefix("v")
    match = re.fullmatch(r"0\.([0-9]+)([0-9]{2})\.([0-9]+)", version)
    if name == "prometheus" and match:
        return f"{match[1]}.{int(match[2])}.{match[3]}"
    return version


def tool_path(name: str) -> Path | None:
    """Return the installed binary for pinned tool ``name``, or None if not installed.

    Raises KeyError if ``name`` is not pinned in ``scripts/tools.versions``.
    """
    try:
        version = PINS[name]
    except KeyError:
        raise KeyError(f"tool {name!r} is not pinned in {VERSIONS_FILE}") from None
    path = TOOLS_DIR / f"{name}-{version}" / "bin" / name
    return path if path.is_file() and os.access(path, os.X_OK) else None


def collector_manifest_current() -> bool:
    """Return True if the installed otelcol-obsc was built from the current ocb manifest.

    ``scripts/install-tools.sh`` keeps the manifest it built from as ``builder.yaml`` beside
    ``bin/``; it must be byte-identical to ``scripts/otelcol-builder.yaml``.
    """
    path = tool_path("otelcol-obsc")
    if path is None:
        return False
    used = path.parent.parent / "builder.yaml"
    return used.is_file() and used.read_bytes() == COLLECTOR_MANIFEST.read_bytes()


def require_tool(name: str) -> Path:
    """The installed tool; a missing one fails the test under CI=true and skips it otherwise.

    Usable from fixtures of any scope (`real_tool` is the function-scoped form).
    """
    path = tool_path(name)
    if path is not None:
        return path
    where = TOOLS_DIR / f"{name}-{PINS[name]}" / "bin" / name
    missing_tool(f"{name} {PINS[name]} not installed at {where}; {INSTALL_HINT}")


def missing_tool(msg: str) -> NoReturn:
    """Fail the test under CI=true (a missing checker is a failure there), skip it otherwise."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"missing real tool in CI: {msg}")
    pytest.skip(msg)


CHROMIUM: Final = Path("/usr/bin/chromium")  # Debian's package (scripts/install-tools.sh)


def require_chromium() -> Path:
    """Debian's Chromium for browser tests; missing, it fails under CI=true and skips otherwise."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    missing_tool(f"chromium not installed at {CHROMIUM}; {INSTALL_HINT}")


@pytest.fixture
def real_tool() -> Tool:
    """Return ``get(name) -> Path``; a missing tool fails under CI=true and skips otherwise."""
    return require_tool
