"""What the rendered OTTL does to one string, modelled in plain Python.

targets/collector/redaction.py turns a policy into transform-processor statements; this
module is the same algorithm for one value, so the pattern tests can run thousands of
lines without a collector (tests/collector/test_redaction_run.py checks the real one).

Every enabled built-in pattern, in `patterns.ORDER`, then the policy's custom regexes:

- a pattern's matches are replaced by the replacement text, literally (the renderer
  doubles `$` for Go's expansion); a `keep_prefix` pattern keeps its group 1;
- `credit_card`, in a text field and in a map value alike (the collector checks a map's
  candidates on a JSON copy of it and writes each decision back to every value): up to
  LUHN_CANDIDATES_PER_FIELD times, take the first
  candidate (the longest run, CARD_CANDIDATE); if its digits pass Luhn, replace it; else
  take its shortest prefix ending at a word boundary (CARD_SHORTEST) and replace that if
  it passes; else mark every digit of the candidate with MARK so later passes skip it.
  Replacing and marking rewrite every `\\b<candidate>\\b` in the field, as OTTL's
  replace_pattern does. Then candidates still unchecked are replaced (fail closed), and
  the marks are removed before the next pattern.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Sequence

from targets.collector.ottl import MARK
from targets.collector.patterns import BUILTIN, CARD_CANDIDATE, CARD_SHORTEST, ORDER, luhn_valid
from targets.collector.redaction import LUHN_CANDIDATES_PER_FIELD


@functools.cache
def _rx(regex: str) -> re.Pattern[str]:
    return re.compile(regex, re.ASCII)


def _replace(regex: str, text: str, replacement: str) -> str:
    return _rx(regex).sub(lambda _: replacement, text)


def _redact(
    value: str,
    patterns: Collection[str],
    custom: Sequence[str],
    replacement: str,
    cards: Callable[[str, str], str],
) -> str:
    for name in ORDER:
        pattern = BUILTIN[name]
        if name not in patterns:
            continue
        if name == "credit_card":
            value = cards(value, replacement)
        elif pattern.keep_prefix:
            value = _rx(pattern.regex).sub(lambda m: m.group(1) + replacement, value)
        else:
            value = _replace(pattern.regex, value, replacement)
    for regex in custom:
        value = _replace(regex, value, replacement)
    return value


def redact_attribute_value(
    value: str, patterns: Collection[str], custom: Sequence[str], replacement: str
) -> str:
    """One attribute-map string value after the policy (the same algorithm as text)."""
    return _redact(value, patterns, custom, replacement, _cards_luhn_checked)


def redact_text(
    text: str, patterns: Collection[str], custom: Sequence[str], replacement: str
) -> str:
    """One text field (string body, message, exception.message, status message)."""
    return _redact(text, patterns, custom, replacement, _cards_luhn_checked)


def _cards_luhn_checked(text: str, replacement: str) -> str:
    for _ in range(LUHN_CANDIDATES_PER_FIELD):
        text = _luhn_step(text, replacement)
    text = _replace(CARD_CANDIDATE, text, replacement)
    return _rx("([0-9])" + MARK).sub(r"\1", text)


def _luhn_step(text: str, replacement: str) -> str:
    found = _rx(CARD_CANDIDATE).search(text)
    if found is None:
        return text
    longest = found.group(0)
    if luhn_valid(_digits(longest)):
        return _replace(rf"\b{longest}\b", text, replacement)
    shortest = _rx("^" + CARD_SHORTEST).match(longest)
    assert shortest is not None  # the longest candidate is itself a shortest-pattern match
    if luhn_valid(_digits(shortest.group(0))):
        return _replace(rf"\b{shortest.group(0)}\b", text, replacement)
    marked = _rx("([0-9])").sub(lambda m: m.group(1) + MARK, longest)
    return _replace(rf"\b{longest}\b", text, marked)


def _digits(candidate: str) -> str:
    return _rx("[ -]").sub("", candidate)
