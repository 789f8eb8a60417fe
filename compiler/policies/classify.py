"""Which policy files constrain one service at a time, decided from their text alone.

A policy file is *per-service* when `services` appears in it only as the label of top-level
`services: [PATTERN]: VALUE` declarations (optionally inside top-level `if` guards). A
pattern constraint applies to each service value on its own; a reference inside it reads
the service it is written in (through aliases), definitions, or top-level fields, and no
top-level field can hold another service's values without naming `services`. So vetting
the environment with only some of its services yields, for those services, exactly the
errors the whole environment yields. Everything else is *whole-model*: a comprehension over
`services` or any other mention of it, labels that could match it without naming it
(`[string]: ...`, `"services": ...`), embeddings, string interpolations, syntax this
scanner does not follow. The scanner errs only towards whole-model: it never needs to
understand a file to refuse it. Errors outside services (a rule on `stack`, a policy
fault) are caught at run time, and the environment is then vetted whole
(compiler.policies.chunked).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IDENT = re.compile(r"[A-Za-z_$#][A-Za-z0-9_$#]*")
_SERVICES = re.compile(r"(?<![A-Za-z0-9_$#])services(?![A-Za-z0-9_$#])")
_LABEL = re.compile(r"[?!]?\s*:")  # after an identifier: a field label
_OPEN = "([{"
_CLOSE = ")]}"


@dataclass(frozen=True, slots=True)
class Classification:
    """Whether a file is per-service, and if not, why (for the report and the tests)."""

    per_service: bool
    reason: str


class _Refused(Exception):
    """The file is not recognisably per-service."""


def classify(text: str) -> Classification:
    """Classify one policy file's text (see the module docstring)."""
    try:
        code = _strip(text)
        _check_top_level(code)
    except _Refused as why:
        return Classification(False, str(why))
    return Classification(True, "every constraint is under services: [PATTERN]:")


def _strip(text: str) -> str:
    """The text with comments removed and every string literal replaced by `""`.

    Refuses string interpolations (they may hold references), raw strings (`#"..."#`) and
    byte strings, which this scanner does not follow.
    """
    out: list[str] = []
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if text.startswith("//", index):
            end = text.find("\n", index)
            index = size if end < 0 else end
        elif char == "#" and text.startswith('#"', index):
            raise _Refused("a raw string literal")
        elif char == "'":
            raise _Refused("a byte string literal")
        elif text.startswith('"""', index):
            end = text.find('"""', index + 3)
            if end < 0:
                raise _Refused("an unterminated string")
            _plain(text[index + 3 : end])
            out.append('""')
            index = end + 3
        elif char == '"':
            end = index + 1
            while end < size and text[end] != '"':
                if text[end] == "\n":
                    raise _Refused("an unterminated string")
                end += 2 if text[end] == "\\" else 1
            if end >= size:
                raise _Refused("an unterminated string")
            _plain(text[index + 1 : end])
            out.append('""')
            index = end + 1
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _plain(body: str) -> None:
    if "\\(" in body:
        raise _Refused("a string interpolation")


def _check_top_level(code: str) -> None:
    """Every top-level item is `package`, `import`, a services pattern or an `if` guard."""
    declared = _items(code, 0, len(code), top=True)
    uses = len(_SERVICES.findall(code))
    if uses != declared:
        raise _Refused("it refers to services other than as services: [PATTERN]:")


def _items(code: str, start: int, end: int, top: bool) -> int:
    """Check the items of `code[start:end]`; return how many services patterns they declare.

    Other fields (`_limit: 3`, `#Shape: {...}`) and `let` clauses are skipped: they cannot
    reach a service except by naming `services`, which is counted. Labels that might match
    `services` without naming it (`[string]: ...`, `"services": ...`, `(expr): ...`),
    embeddings and aliases of a top-level field are refused.
    """
    declared = 0
    index = _skip_separators(code, start, end)
    while index < end:
        word = _IDENT.match(code, index)
        name = word.group(0) if word else ""
        after = word.end() if word else index
        if top and name == "package":
            index = _line_end(code, after, end)
        elif top and name == "import":
            index = _import(code, after, end)
        elif name == "services":
            index = _services(code, after, end)
            declared += 1
        elif name == "if":
            brace = code.find("{", index, end)
            if brace < 0:
                raise _Refused("an if without a body")
            close = _matching(code, brace, end)
            declared += _items(code, brace + 1, close, top=False)
            index = close + 1
        elif name == "let" or (name and _LABEL.match(code, after, end)):
            index = _value_end(code, after, end)
        else:
            raise _Refused(f"a top-level item this check does not follow: {_excerpt(code, index)}")
        index = _skip_separators(code, index, end)
    return declared


def _excerpt(code: str, index: int) -> str:
    return repr(code[index : index + 30].split("\n", 1)[0])


def _services(code: str, index: int, end: int) -> int:
    """`services: [PATTERN]: VALUE` starting after the name; returns the index after VALUE."""
    match = re.compile(r"\s*:\s*\[").match(code, index, end)
    if not match:
        raise _Refused("services is declared other than as services: [PATTERN]:")
    close = _matching(code, match.end() - 1, end)
    colon = re.compile(r"\s*:").match(code, close + 1, end)
    if not colon:
        raise _Refused("services: [PATTERN] without a value")
    return _value_end(code, colon.end(), end)


def _value_end(code: str, index: int, end: int) -> int:
    """The end of a field value: the next newline or comma outside brackets."""
    depth = 0
    while index < end:
        char = code[index]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth < 0:
                raise _Refused("unbalanced brackets")
        elif char in "\n," and depth == 0:
            return index
        index += 1
    if depth:
        raise _Refused("unbalanced brackets")
    return index


def _matching(code: str, index: int, end: int) -> int:
    """The index of the bracket closing the one at `index`."""
    depth = 0
    for position in range(index, end):
        char = code[position]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth == 0:
                return position
    raise _Refused("unbalanced brackets")


def _import(code: str, index: int, end: int) -> int:
    match = re.compile(r"\s*\(").match(code, index, end)
    if match:
        return _matching(code, match.end() - 1, end) + 1
    return _line_end(code, index, end)


def _line_end(code: str, index: int, end: int) -> int:
    found = code.find("\n", index, end)
    return end if found < 0 else found


def _skip_separators(code: str, index: int, end: int) -> int:
    while index < end and code[index] in " \t\r\n,":
        index += 1
    return index
