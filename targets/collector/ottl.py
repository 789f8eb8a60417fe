"""Writing OTTL: string literals and the collector's `$` escaping.

Two layers of escaping stand between a regular expression and the collector:

1. OTTL string literals are double-quoted with backslash escapes, so `\\` and `"` are
   written `\\\\` and `\\"` (a regex `\\b` appears in the statement as `"\\\\b"`).
2. The collector's config loader expands `${...}` and turns `$$` into `$`, so every `$` in
   the rendered YAML is doubled (a capture reference `${1}` is written `$${1}`). That one
   is applied to the whole config as it is serialised (`expansion.escaped`), not here.

`literal` applies the first, so callers pass plain regexes and replacement text. The stanza
expressions of the file_log operators (expr-lang) quote strings the same way.
"""

from __future__ import annotations

# Marks a digit that the Luhn step rejected, so the final card pass skips it; removed again
# before the record leaves the processor. A private-use character that no text should carry.
MARK = "\ue000"


def literal(text: str) -> str:
    """`text` as an OTTL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped + '"'


def replacement_literal(text: str) -> str:
    """Replacement text for replace_pattern: literal `$` doubled for Go's regexp expansion."""
    return literal(text.replace("$", "$$"))
