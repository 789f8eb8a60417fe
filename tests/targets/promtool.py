"""Running the pinned promtool from the target tests (found through the `real_tool` fixture)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

Tool = Callable[[str], Path]


def promtool(real_tool: Tool, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`promtool ARGS` in `cwd`, its output captured; the caller checks the exit code."""
    return subprocess.run(
        [str(real_tool("promtool")), *args], cwd=cwd, capture_output=True, text=True, check=False
    )
