"""Running the pinned promtool from the target tests (found through the `real_tool` fixture)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.realtools import Tool


def promtool(real_tool: Tool, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`promtool ARGS` in `cwd`, its output captured; the caller checks the exit code."""
    return subprocess.run(
        [str(real_tool("promtool")), *args], cwd=cwd, capture_output=True, text=True, check=False
    )
