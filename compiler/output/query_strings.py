"""String literals in the query languages obsc writes: one quoting for all of them.

PromQL, LogQL, TraceQL and Alertmanager matchers all read a double-quoted string with Go's
escapes; a raw newline would end the literal (PromQL's lexer refuses it), so it is escaped.
"""

from __future__ import annotations

import re


def string_literal(value: str) -> str:
    """`value` as a double-quoted literal, backslash, quote and newline escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


_ESCAPED = {"n": "\n", "t": "\t", "r": "\r"}


def string_value(body: str) -> str:
    """The text a double-quoted literal's `body` (between the quotes) stands for.

    The inverse of `string_literal`: `\\n`, `\\t` and `\\r` are control characters, any other
    escaped character is itself (`\\"`, `\\\\`).
    """
    return re.sub(r"\\(.)", lambda escape: _ESCAPED.get(escape[1], escape[1]), body, flags=re.S)
