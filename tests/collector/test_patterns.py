"""The built-in redaction patterns against a labelled corpus, in both regex engines.

Recall and false positives are measured with tests/collector/reference.py, the Python
model of the rendered OTTL; docs/redaction.md quotes the figures printed here
(`pytest -s tests/collector/test_patterns.py`).
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import re2

from targets.collector.patterns import (
    BUILTIN,
    CARD_CANDIDATE,
    CARD_SHORTEST,
    ORDER,
    TRIGGER,
    Check,
    first_look,
    luhn_valid,
    pattern_checks,
    split_lead,
)
from tests.collector.pii_corpus import (
    BENIGN_KINDS,
    ORDER_TOKEN_REGEX,
    PII_KINDS,
    TEMPLATES,
    Sample,
    benign_samples,
    iban_check_digits,
    pii_samples,
    render,
)
from tests.collector.reference import redact_attribute_value, redact_text

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = ORDER
CUSTOM = (ORDER_TOKEN_REGEX,)
REPLACEMENT = "[REDACTED]"
PER_KIND = 50

Redactor = Callable[[str, Collection[str], Sequence[str], str], str]
SIDES: dict[str, Redactor] = {"text": redact_text, "attribute": redact_attribute_value}


@dataclass(frozen=True, slots=True)
class Line:
    """A sample in one template, and what each side of the policy made of it."""

    sample: Sample
    template: str
    text: str
    redacted: dict[str, str]


def _lines(samples: list[Sample]) -> tuple[Line, ...]:
    out = []
    for sample in samples:
        for template in TEMPLATES:
            text = render(template, sample.value)
            redacted = {side: f(text, PATTERNS, CUSTOM, REPLACEMENT) for side, f in SIDES.items()}
            out.append(Line(sample, template, text, redacted))
    return tuple(out)


@functools.cache
def pii_lines() -> tuple[Line, ...]:
    return _lines(pii_samples(seed=0, per_kind=PER_KIND))


@functools.cache
def benign_lines() -> tuple[Line, ...]:
    return _lines(benign_samples(seed=0, per_kind=PER_KIND))


def _rate_table(title: str, changed: Counter[str], total: Counter[str]) -> str:
    rows = [f"{title}: {sum(changed.values())}/{sum(total.values())}"]
    rows += [f"  {kind:<15} {changed[kind]:>4}/{total[kind]}" for kind in total]
    return "\n".join(rows)


# --- the corpus itself -----------------------------------------------------------------


def test_corpus_is_deterministic_and_labelled_right() -> None:
    assert pii_samples(seed=3, per_kind=5) == pii_samples(seed=3, per_kind=5)
    assert benign_samples(seed=3, per_kind=5) == benign_samples(seed=3, per_kind=5)
    assert pii_samples(seed=3, per_kind=5) != pii_samples(seed=4, per_kind=5)
    pii, benign = pii_samples(per_kind=PER_KIND), benign_samples(per_kind=PER_KIND)
    assert {s.kind for s in pii} == set(PII_KINDS) == {*BUILTIN, "order_token"}
    assert {s.kind for s in benign} == set(BENIGN_KINDS)
    for s in pii:
        if s.kind == "credit_card":
            digits = re.sub("[ -]", "", s.value)
            assert luhn_valid(digits) and 13 <= len(digits) <= 19, s
        elif s.kind == "ssn":
            area, group, serial = (int(p) for p in re.split("[-. ]", s.value))
            assert 0 < area < 900 and area != 666 and group > 0 and serial > 0, s
        elif s.kind == "iban":
            compact = s.value.replace(" ", "")
            assert compact[2:4] == iban_check_digits(compact[:2], compact[4:]), s
    runs = [s.value for s in benign if s.kind == "digit_run"]
    assert {r[0] for r in runs} == set("0123456789")
    assert all(13 <= len(r) <= 19 and not luhn_valid(r) for r in runs)


# --- recall ----------------------------------------------------------------------------


def _leaks(line: Line, out: str) -> list[str]:
    """The parts of `line`'s PII value still present in `out`."""
    value = line.sample.value
    secrets = [value]
    if line.sample.kind == "credit_card":
        secrets.append(re.sub("[ -]", "", value))
    if line.sample.kind == "bearer_token":
        word, token = value.split(" ", 1)
        secrets = [token]
        if f"{word} " not in out:
            return [f"the word {word!r} was not kept"]
    return [s for s in secrets if s in out]


@pytest.mark.parametrize("side", SIDES)
def test_every_pii_value_is_gone(side: str) -> None:
    misses = [
        (line.text, line.redacted[side])
        for line in pii_lines()
        if _leaks(line, line.redacted[side])
    ]
    recall = 1 - len(misses) / len(pii_lines())
    print(f"\n{side} recall (value gone): {recall:.2%} of {len(pii_lines())} lines")
    assert not misses, misses[:10]


def _expected(line: Line, side: str) -> str:
    """`line` with its value replaced by the replacement text, and nothing else changed."""
    kind, value = line.sample.kind, line.sample.value
    if kind == "phone" and _card_first_takes(value.removeprefix("+"), side):
        # An E.164 number of 13+ digits after `+2`..`+6` is card-shaped; the card step runs
        # first and masks it as a card (in text only if it passes Luhn); the `+` stays.
        return render(line.template, "+" + REPLACEMENT)
    if kind != "bearer_token":
        return render(line.template, REPLACEMENT)
    word, token = value.split(" ", 1)
    masked = render(line.template, f"{word} {REPLACEMENT}")
    # token68 allows `.`, so a sentence-ending period right after an unpadded token is taken
    # as part of it (a JWT is masked first by its own pattern and keeps the period).
    if "{v}." in line.template and not token.endswith("=") and not token.startswith("eyJ"):
        masked = masked.replace(f"{REPLACEMENT}.", REPLACEMENT)
    return masked


def _card_first_takes(digits: str, side: str) -> bool:
    if ORDER.index("credit_card") > ORDER.index("phone"):
        return False
    if not re.fullmatch(CARD_CANDIDATE, digits, re.ASCII):
        return False
    return luhn_valid(re.sub("[ -]", "", digits))


@pytest.mark.parametrize("side", SIDES)
def test_every_pii_value_is_masked_whole(side: str) -> None:
    """Stricter than the above: one replacement exactly where the value was, no fragment left."""
    wrong = Counter[str]()
    examples: list[tuple[str, str]] = []
    for line in pii_lines():
        if line.redacted[side] != _expected(line, side):
            wrong[line.sample.kind] += 1
            if line.template == "{v}":
                examples.append((line.text, line.redacted[side]))
    total = Counter(line.sample.kind for line in pii_lines())
    print("\n" + _rate_table(f"{side}: PII lines not masked whole", wrong, total))
    assert not wrong, (dict(wrong), examples[:10])


# --- false positives -------------------------------------------------------------------


def test_benign_text_survives() -> None:
    changed = Counter(
        line.sample.kind for line in benign_lines() if line.redacted["text"] != line.text
    )
    total = Counter(line.sample.kind for line in benign_lines())
    print("\n" + _rate_table("text false positives", changed, total))
    examples = [
        (ln.text, ln.redacted["text"]) for ln in benign_lines() if ln.redacted["text"] != ln.text
    ]
    assert sum(changed.values()) / sum(total.values()) < 0.01, examples[:10]
    # Luhn-failing card-shaped runs are exactly what the text-field Luhn step keeps.
    assert changed["digit_run"] == 0, examples[:10]


def test_benign_attribute_values_survive() -> None:
    """Attribute values get the Luhn check too: no look-alike is altered there either."""
    changed = Counter(
        ln.sample.kind for ln in benign_lines() if ln.redacted["attribute"] != ln.text
    )
    total = Counter(ln.sample.kind for ln in benign_lines())
    print("\n" + _rate_table("attribute-value false positives", changed, total))
    assert sum(changed.values()) / sum(total.values()) < 0.01
    assert changed["digit_run"] == 0


# --- the algorithm, by example ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111 1111 1111 1111 123 ok", "card [REDACTED] 123 ok"),  # shortest candidate
        ("order 4111111111111112 ok", "order 4111111111111112 ok"),  # fails Luhn: kept
        ("a 4111111111111111 b 4111111111111111", "a [REDACTED] b [REDACTED]"),
        # four rejected candidates are kept; a fifth is masked unchecked (fail closed)
        (
            " ".join(f"411111111111111{d}" for d in "23456"),
            " ".join([*(f"411111111111111{d}" for d in "2345"), "[REDACTED]"]),
        ),
        ("auth: Bearer abc.def-ghi==, next", "auth: Bearer [REDACTED], next"),
    ],
)
def test_reference_text_field(text: str, expected: str) -> None:
    assert redact_text(text, PATTERNS, (), REPLACEMENT) == expected


def test_reference_attribute_value_and_replacement_text() -> None:
    assert redact_attribute_value("id 4111111111111112", PATTERNS, (), "X") == "id 4111111111111112"
    assert redact_attribute_value("id 4111111111111111", PATTERNS, (), "X") == "id X"
    assert redact_text("to a@b.io and Bearer t0k", PATTERNS, (), "$1") == "to $1 and Bearer $1"
    assert redact_text("n 4111 1111 1111 1111", ["ssn"], (), "X") == "n 4111 1111 1111 1111"


# --- the regexes themselves ------------------------------------------------------------

REGEXES: dict[str, str] = {
    **{name: p.regex for name, p in BUILTIN.items()},
    "CARD_SHORTEST": CARD_SHORTEST,
    "order_token (custom)": ORDER_TOKEN_REGEX,
}
FORBIDDEN = ("(?=", "(?!", "(?<=", "(?<!", *(f"\\{n}" for n in range(1, 10)))


@pytest.mark.parametrize("name", REGEXES)
def test_regex_is_portable(name: str) -> None:
    regex = REGEXES[name]
    re.compile(regex, re.ASCII)
    re2.compile(regex)
    assert not [f for f in FORBIDDEN if f in regex], "look-around or back-reference"


def test_engines_agree_on_every_corpus_line() -> None:
    lines = [line.text for line in pii_lines() + benign_lines()]
    for name, regex in REGEXES.items():
        if name == "CARD_SHORTEST":
            continue  # anchored on candidates below
        py, r2 = re.compile(regex, re.ASCII), re2.compile(regex)
        ours: list[tuple[int, int]] = []
        for text in lines:
            spans = [m.span() for m in py.finditer(text)]
            if spans != [m.span() for m in r2.finditer(text)]:
                pytest.fail(f"{name}: re and re2 differ on {text!r}")
            ours += [(a, b) for a, b in spans]
            if name == "credit_card":
                for a, b in spans:
                    _check_shortest(text[a:b])


_SHORTEST_PY = re.compile("^(?P<m>" + CARD_SHORTEST + ")", re.ASCII)
_SHORTEST_RE2 = re2.compile("^(?P<m>" + CARD_SHORTEST + ")")


def _check_shortest(candidate: str) -> None:
    py, r2 = _SHORTEST_PY.search(candidate), _SHORTEST_RE2.search(candidate)
    assert py is not None and r2 is not None, candidate
    assert py.span(1) == r2.span(1), candidate


# Matches the corpus does not hold: each pattern's rarer shapes, and values glued to text.
TRIGGER_EXTRAS: dict[str, tuple[str, ...]] = {
    "phone": ("x(415)555-2671", "+1-4-1-5-5-5-5", "0161-496-0123", "06.12.34.56.78"),
    "ipv6": ("fe80:%eth0", "1:2:3:4:5:6:7:8", "a::", "::ffff:0:1.2.3.4"),
    "credit_card": ("4-1-1-1-1-1-1-1-1-1-1-1-1", "4111 1111 1111 1111 123"),
    "bearer_token": ("BeArEr\tx",),
    "iban": ("NO93 8601 1117 947", "DE89370400440532013000"),
}


@pytest.mark.parametrize("name", ORDER)
def test_trigger_is_found_in_every_match(name: str) -> None:
    """A trigger is a necessary condition: every match of the pattern contains one (also as
    a map's JSON writes it)."""
    pattern = re.compile(BUILTIN[name].regex, re.ASCII)
    found = re.compile(TRIGGER[name], re.ASCII)
    texts = [line.text for line in pii_lines() + benign_lines()]
    texts += list(TRIGGER_EXTRAS.get(name, ()))
    matches = [m.group(0) for text in texts for m in pattern.finditer(text)]
    assert len(matches) > 20 or name in TRIGGER_EXTRAS
    missed = [f for m in matches for f in (m, _json_form(m)) if not found.search(f)]
    assert not missed, missed[:10]
    re2.compile(TRIGGER[name])


def _json_form(value: str) -> str:
    """`value` as Go's JSON encoder writes it inside a map's JSON (without the quotes)."""
    quoted = json.dumps(value, ensure_ascii=False)[1:-1]
    return quoted.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _found(checks: Sequence[Check], text: str) -> bool:
    return any(re.search(c.regex, text, re.ASCII) for c in checks)


@pytest.mark.parametrize("name", ORDER)
def test_first_look_finds_every_match(name: str) -> None:
    """Every match passes the pattern's first-look checks, alone and merged with all others,
    as written in a string field and as a map's JSON writes it (a tab becomes `\\t`)."""
    pattern = re.compile(BUILTIN[name].regex, re.ASCII)
    texts = [line.text for line in pii_lines() + benign_lines()]
    texts += list(TRIGGER_EXTRAS.get(name, ()))
    merged = first_look(ORDER)
    missed = []
    for text in texts:
        for m in pattern.finditer(text):
            for form in (m.group(0), _json_form(m.group(0))):
                if not (_found(pattern_checks(name), form) and _found(merged, form)):
                    missed.append(form)
    assert not missed, missed[:10]
    for check in (*pattern_checks(name), *merged):
        re2.compile(check.regex)


def test_first_look_searches_every_byte_once_at_most() -> None:
    """Go's regexp runs an expression's automaton at every byte unless it starts with a
    literal: a policy's first look has at most one expression without a literal lead, the
    IBANs' (26 capital letters would be 26 calls); small leading classes (cards' `[2-6]`,
    bearer's `[Bb]`) become one literal-led expression per character, merged by lead, and
    the single letters the IBAN class holds (`A` of AWS keys, `B` of Bearer) join it."""
    for policy in (ORDER, ("email", "ipv4"), ("bearer_token", "email"), ("iban",)):
        checks = first_look(policy)
        assert sum(not _literal_prefix(c.regex) for c in checks) <= 1, checks
        leads = [re.findall(r"\\.|.", _literal_prefix(c.regex))[:1] for c in checks]
        assert all(leads.count(lead) == 1 for lead in leads if lead), leads
    without_iban = [o for o in ORDER if o != "iban"]
    assert all(_literal_prefix(c.regex) for c in first_look(without_iban))
    assert split_lead("[2-6]") == ("2", "3", "4", "5", "6")
    assert split_lead("[Bb]") == ("B", "b")
    assert split_lead("[A-Z]") == ("[A-Z]",)
    assert [c.regex for c in first_look(("bearer_token",))] == [
        r"B(?i:earer)(?:[ \t]|\\t)",
        r"b(?i:earer)(?:[ \t]|\\t)",
    ]
    strict = [c.regex for c in first_look(ORDER)]
    assert strict[-1].startswith("[A-Z](?:(?i:earer)"), strict
    assert not any(c.startswith(("A", "B")) for c in strict), strict


def _literal_prefix(regex: str) -> str:
    """The literal a regex starts with, as Go's regexp sees it: characters (or escaped
    punctuation) matched one way only, before any class, group or repetition."""
    lead = re.match(r"(?:\\[^A-Za-z0-9]|[^\\\[\](){}.*+?^$|])*", regex)
    assert lead is not None
    literal = lead.group()
    if regex[len(literal) : len(literal) + 1] in ("?", "*", "{"):
        literal = literal[: -2 if literal.endswith("\\" + literal[-1:]) else -1]
    return literal


def test_luhn_vectors() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("4111 1111 1111 1111")
    assert not luhn_valid("")


def test_doc_quotes_every_builtin_regex() -> None:
    doc = (ROOT / "docs" / "redaction.md").read_text(encoding="utf-8")
    missing = [name for name, p in BUILTIN.items() if p.regex not in doc]
    assert not missing, f"docs/redaction.md lacks the current regex of {missing}"
    assert CARD_SHORTEST in doc
    order = "\n".join(f"{i}. `{name}`" for i, name in enumerate(ORDER, 1))
    assert order in doc, "docs/redaction.md lists another application order"
