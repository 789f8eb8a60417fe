"""Keeping CPython's cyclic garbage collector out of the way of large, acyclic data.

obsc builds big trees of dicts, lists and models (an estate of 10,000 services, a gigabyte
of rendered files, two parsed copies of a 35 MB model.json in a diff) that hold no reference
cycles. The collector cannot know that: every time enough new containers survive it walks
all of them again, which made some steps several times slower than the work itself.
Reference counting still frees everything that is dropped; only cyclic garbage waits.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
