"""Locate the libraries of the SLI-truth apps, installed by `scripts/install-app-deps.sh`.

Python apps run with the virtualenv `$OBSC_TOOLS_DIR/apps/python-<digest>/`, where digest is
the first 12 hex digits of the sha256 of `tests/frameworks/apps/python/requirements.txt`;
Node apps with `$OBSC_TOOLS_DIR/apps/node-<digest>/node_modules`, digest of
`tests/frameworks/apps/node/package-lock.json`; Go apps' binaries in
`$OBSC_TOOLS_DIR/apps/go-<digest>/bin`, digest of go.mod, go.sum and the sources; the
Next.js app, installed and built, in `$OBSC_TOOLS_DIR/apps/nextjs-<digest>/`, digest of its
package-lock.json and app/ sources. A missing one is a missing real tool: skipped locally, a
failure under CI=true.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Final

from tests.realtools import TOOLS_DIR, missing_tool

APPS: Final = Path(__file__).resolve().parent / "apps"
INSTALL_HINT: Final = "run scripts/install-app-deps.sh"


RUNTIMES: Final = {"python": None, "node": "node", "go": None, "nextjs": "node"}  # on PATH


def _pins(language: str) -> bytes:
    """What the install's name is the digest of (as install-app-deps.sh concatenates it)."""
    source = APPS / language
    if language == "python":
        return (source / "requirements.txt").read_bytes()
    if language == "node":
        return (source / "package-lock.json").read_bytes()
    if language == "nextjs":
        files = [
            "package-lock.json",
            *sorted(str(p.relative_to(source)) for p in source.rglob("*.js")),
        ]
        return b"".join((source / name).read_bytes() for name in files)
    files = [
        "go.mod",
        "go.sum",
        *sorted(f"./{p.relative_to(source)}" for p in source.rglob("*.go")),
    ]
    return b"".join((source / name).read_bytes() for name in files)


def installed(language: str) -> Path | None:
    """Where the `language` apps' libraries are (python, node, go, nextjs); None: not installed."""
    digest = hashlib.sha256(_pins(language)).hexdigest()[:12]
    where = TOOLS_DIR / "apps" / f"{language}-{digest}"
    runtime = RUNTIMES[language]
    if runtime is not None and shutil.which(runtime) is None:
        return None
    return where if (where / ".complete").is_file() else None


def require_installed(language: str) -> None:
    """Skip locally (fail under CI=true) when the `language` apps cannot run here."""
    if installed(language) is None:
        missing_tool(f"the {language} apps' libraries (or runtime) are missing; {INSTALL_HINT}")
