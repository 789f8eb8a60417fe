"""Where `obsc render --out DIR` may write.

A render replaces its destination with the new tree (files it does not produce are
removed), so `--out` pointed at the wrong directory would delete it: the repository's
.git, its specs, or somebody's notes. Only an empty or missing directory, or one that an
earlier `--out` render of obsc wrote (it holds obsc's manifest.json), may be used; and never
a directory inside the repository's inputs, its git directory or rendered/ (a render into
rendered/<env> would leave rendered/ out of step with its manifest).
"""

from __future__ import annotations

from pathlib import Path

from compiler.errors import UsageError
from compiler.output.manifest import MANIFEST_NAME, Manifest

PROTECTED = ("specs", "snapshots", "policies", ".git", "rendered")


def check_out_dir(repo: Path, out: Path) -> None:
    """Raise UsageError (exit 2) when rendering into `out` could destroy something."""
    target = out.resolve()
    root = repo.resolve()
    for name in PROTECTED:
        protected = root / name
        if target == protected or protected in target.parents:
            raise UsageError(
                f"--out {out}: refusing to render into {protected}: a render replaces its "
                "destination, and this directory belongs to the repository\n  hint: choose a "
                "new or empty directory outside specs/, snapshots/, policies/, .git/ and "
                "rendered/ (e.g. /tmp/obsc-out)"
            )
    if target in root.parents:
        raise UsageError(
            f"--out {out}: refusing to render into {target}, which contains the repository"
            "\n  hint: choose a new or empty directory"
        )
    if not target.exists():
        return
    if not target.is_dir():
        raise UsageError(f"--out {out}: not a directory")
    if any(target.iterdir()) and not _earlier_render(target):
        raise UsageError(
            f"--out {out}: refusing to render into a directory that is not empty and was "
            "not written by an earlier `obsc render --out` (its files would be removed)"
            "\n  hint: choose a new or empty directory, or empty this one first"
        )


def _earlier_render(directory: Path) -> bool:
    try:
        return Manifest.parse((directory / MANIFEST_NAME).read_bytes()) is not None
    except OSError:
        return False
