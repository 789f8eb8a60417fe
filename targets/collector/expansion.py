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

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EnvReference:
    """`${env:<variable>}`: a value the collector reads from its environment as it loads."""

    variable: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", self.variable):
            raise ValueError(f"not an environment variable name: {self.variable!r}")


class Expanded(str):
    """A string value whose `$` are already doubled except in its `${env:...}` references.

    The one exception to "obsc writes no value meant to be expanded": a secret the user
    gives by reference (a custom redaction pattern's `secretRef`), which must reach the
    collector from its environment, never through rendered/. Only `expanded` makes one.
    """


def expanded(*parts: str | EnvReference) -> str:
    """The parts joined: text with `$` doubled, references as `${env:...}` for the loader.

    Without any reference this is plain text for `escaped` to double later.
    """
    if not any(isinstance(part, EnvReference) for part in parts):
        return "".join(part for part in parts if isinstance(part, str))
    return Expanded(
        "".join(
            f"${{env:{part.variable}}}"
            if isinstance(part, EnvReference)
            else part.replace("$", "$$")
            for part in parts
        )
    )


def escaped(value: object) -> object:
    """`value` with `$` doubled in every string value (mapping keys are not expanded)."""
    if isinstance(value, Expanded):
        return str(value)
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, Mapping):
        return {key: escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [escaped(item) for item in value]
    return value
