"""Comments out of user PromQL, so a query can be spliced into a longer expression.

A PromQL comment runs from `#` to the end of the line. A ratio SLI's `total` is written into
`((total) - (good))`: a query ending in `# note` would swallow the closing parentheses, and a
`{{window}}` placeholder inside a comment would hide a query that has none. `#` inside a
string literal ("...", '...' with backslash escapes, `...` raw) is text, not a comment.
"""

from __future__ import annotations

import re

WINDOW = "{{window}}"
_QUOTES = frozenset("\"'`")
_PLACEHOLDER = re.compile(r"\{\{\s*window\s*\}\}")


def strip_comments(query: str) -> str:
    """`query` without its comments (line ends kept), surrounding whitespace trimmed."""
    out: list[str] = []
    quote: str | None = None
    index = 0
    while index < len(query):
        char = query[index]
        if quote is not None:
            if char == "\\" and quote != "`" and index + 1 < len(query):
                out.append(query[index : index + 2])
                index += 2
                continue
            quote = None if char == quote else quote
        elif char in _QUOTES:
            quote = char
        elif char == "#":
            end = query.find("\n", index)
            index = len(query) if end < 0 else end
            continue
        out.append(char)
        index += 1
    return "".join(out).strip()


def ratio_query(query: str) -> str:
    """A ratio SLI's query as rules use it: no comments, `{{ window }}` written `{{window}}`."""
    return _PLACEHOLDER.sub(WINDOW, strip_comments(query))
