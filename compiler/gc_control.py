"""Keeping CPython's cyclic garbage collector out of the way of large, acyclic data.

obsc builds big trees of dicts, lists and models (an estate of 10,000 services, a gigabyte
of rendered files, two parsed copies of a 35 MB model.json in a diff) that hold no reference
cycles. The collector cannot know that: every time enough new containers survive it walks
all of them again, which made some steps several times slower than the work itself.
Reference counting still frees everything that is dropped; only cyclic garbage waits.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn


@contextmanager
def cyclic_gc_paused(freeze_after: bool = False) -> Iterator[None]:
    """Pause the cyclic collector; with `freeze_after`, exempt what survives for good.

    Freezing (`gc.freeze`) suits data that lives until the process ends, like the estate:
    left in the collector's generations, every later full pass walks it again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze_after:
            gc.freeze()
        if was_enabled:
            gc.enable()


# --- Exiting without freeing ----------------------------------------------------------------
#
# Freeing the estate of 10,000 services (millions of small objects) takes about 0.45 s of
# CPU: in `obsc diff` it was paid in the middle of the command, when the build returned,
# and the rest at exit. The `obsc` program (compiler.cli.main.run) asks for a fast exit:
# data handed to `keep_until_exit` then lives until the process ends, and the process ends
# with `os._exit` after flushing its output, so the heap is never torn down (the kernel
# takes the memory back at once). In-process callers (tests, a library user) do not ask,
# and everything is freed as usual.

_KEPT: list[object] | None = None


def exit_fast_requested() -> None:
    """Mark the process as the `obsc` program: keep large data until exit, free none of it."""
    global _KEPT
    if _KEPT is None:
        _KEPT = []


def keep_until_exit(data: object) -> None:
    """Free `data` only with the process, when it exits fast (see above); else do nothing."""
    if _KEPT is not None:
        _KEPT.append(data)


def exit_now(code: int) -> NoReturn:
    """Flush standard output and error, then end the process without tearing down the heap.

    A flush that fails (a reader gone: `obsc diff | head`) is what the interpreter's own
    exit would have met too: the exit code is then 120, as Python's. Other threads are
    given a moment to end (a policy check's thread ends just after its verdict); one still
    working after that (a check cut short by Ctrl-C, whose cue process and scratch folder it
    would clean up) makes the process exit as usual instead, waiting for it.
    """
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(timeout=1.0)
            if thread.is_alive():
                sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 120
    os._exit(code)
