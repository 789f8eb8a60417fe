"""String literals in the query languages obsc writes: one quoting for all of them.

PromQL, LogQL, TraceQL and Alertmanager matchers all read a double-quoted string with Go's
escapes; a raw newline would end the literal (PromQL's lexer refuses it), so it is escaped.
"""

from __future__ import annotations


def string_literal(value: str) -> str:
    """`value` as a double-quoted literal, backslash, quote and newline escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
