"""A progress line on stderr for long runs: units done of total, and the current target.

Shown only when stderr is a terminal and --quiet is not given, so logs and pipes never
see it; coloured only on a terminal and never when NO_COLOR is set (no-color.org). The
line is redrawn in place at most every REDRAW seconds (and always for the last unit),
then cleared, so the command's own output starts on a clean line.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from types import TracebackType
from typing import TextIO

REDRAW = 0.1  # seconds between redraws
_CLEAR = "\r\x1b[K"


def wants_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and not when NO_COLOR is set to anything."""
    return _is_tty(stream) and not os.environ.get("NO_COLOR")


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class ProgressReporter:
    """Draws `verb done/total (pct%) target`; `on_unit_done` is the runner's hook."""

    def __init__(self, verb: str, stream: TextIO, enabled: bool, color: bool) -> None:
        self._verb = verb
        self._stream = stream
        self._enabled = enabled
        self._color = color
        self._last = float("-inf")
        self._drawn = False

    @classmethod
    def for_command(cls, verb: str, quiet: bool, stream: TextIO | None = None) -> ProgressReporter:
        """A reporter on stderr (or `stream`) that draws only on a terminal, not under --quiet."""
        out = sys.stderr if stream is None else stream
        enabled = not quiet and _is_tty(out)
        return cls(verb, out, enabled, enabled and wants_color(out))

    @property
    def enabled(self) -> bool:
        """Whether anything is drawn at all."""
        return self._enabled

    def on_unit_done(self, done: int, total: int, target: str) -> None:
        """Record that `done` of `total` units are finished, the latest being `target`."""
        if not self._enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last < REDRAW:
            return
        self._last = now
        self._stream.write(_CLEAR + self._line(done, total, target))
        self._stream.flush()
        self._drawn = True

    def _line(self, done: int, total: int, target: str) -> str:
        percent = done * 100 // total if total else 100
        count = f"{done}/{total} ({percent}%)"
        if self._color:
            count = f"\x1b[1;36m{count}\x1b[0m"
        width = shutil.get_terminal_size((80, 24)).columns
        room = max(0, width - len(self._verb) - len(f"{done}/{total} ({percent}%)") - 3)
        shown = target if len(target) <= room else "…" + target[len(target) - room + 1 :]
        return f"{self._verb} {count} {shown}"

    def finish(self) -> None:
        """Clear the progress line, if one was drawn."""
        if self._drawn:
            self._stream.write(_CLEAR)
            self._stream.flush()
            self._drawn = False

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.finish()
