"""cue's order of errors, so that errors gathered from several `cue vet` runs read as one run.

`cue vet` prints its errors sorted (cuelang.org/go cue/errors, `list.removeMultiples`): by
the error's own position — no position first, then by absolute file name and offset in the
file — then by value path (segment by segment, as printed), then by message; an error
equal to the one before in all three is printed once. Within one file, comparing line and
column is comparing offsets.

cue prints an error's own position first and the others after it, sorted; an error without
a position of its own prints only the others. The output does not say which case it is:
conflicts ("conflicting values ...", internal/core/adt `reportConflict`) never have one, and
other errors are taken to have their first printed position as their own. Callers check
that assumption against the order of each run they merge (`is_in_cue_order`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import pairwise

from compiler.policies.cue import CueError, Position

# A position's place in the order: (absolute file name, line, column).
Place = tuple[str, int, int]
SortKey = tuple[tuple[int, str, int, int], tuple[str, ...], str]
_POSITIONLESS = "conflicting values "


def sort_key(error: CueError, place: Callable[[Position], Place]) -> SortKey:
    """Where `error` goes in cue's order; `place` turns a printed position into a Place."""
    if error.positions and not error.message.startswith(_POSITIONLESS):
        file, line, column = place(error.positions[0])
        where = (1, file, line, column)
    else:
        where = (0, "", 0, 0)
    return where, error.raw_path, error.message


def in_cue_order(errors: Iterable[CueError], place: Callable[[Position], Place]) -> list[CueError]:
    """`errors` sorted as one `cue vet` run sorts them, repeats dropped as it drops them."""
    keyed = sorted(((sort_key(e, place), index, e) for index, e in enumerate(errors)))
    result: list[CueError] = []
    previous: SortKey | None = None
    for key, _, error in keyed:
        if key != previous:
            result.append(error)
        previous = key
    return result


def is_in_cue_order(errors: list[CueError], place: Callable[[Position], Place]) -> bool:
    """Whether one run's `errors` are in the order `sort_key` gives (cue dropped repeats)."""
    keys = [sort_key(e, place) for e in errors]
    return all(a < b for a, b in pairwise(keys))
