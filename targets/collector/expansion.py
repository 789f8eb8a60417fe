"""The collector config loader's `$` expansion, kept away from every value obsc writes.

The collector expands `${env:NAME}`, `${file:PATH}` (and `${NAME}`) in every string value of
its config while loading it, and reads `$$` as a literal `$`. obsc writes no value that is
meant to be expanded, so the whole document goes through `escaped` once, just before it is
serialised: each `$` of every string value is doubled. A metrics path such as
`/metrics${env:HOME}` then reaches the collector as written, instead of pulling the
collector's environment or a file into its config. Renderers build values as the collector
should finally see them and never escape `$` themselves (the OTTL `literal` does not).
"""

from __future__ import annotations

from collections.abc import Mapping


def escaped(value: object) -> object:
    """`value` with `$` doubled in every string value (mapping keys are not expanded)."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, Mapping):
        return {key: escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [escaped(item) for item in value]
    return value
