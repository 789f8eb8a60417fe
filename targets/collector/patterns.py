"""The built-in PII patterns: one regular expression each, valid in RE2 and in Python.

The collector runs these through OTTL, whose regex engine is Go's RE2 (no look-arounds, no
back-references); obsc's tests run the same expressions through Python's `re` with
`re.ASCII`, where both engines agree on this subset (ASCII `\\b`, explicit `[0-9]` rather
than `\\d`, leftmost-first alternation). docs/redaction.md lists each pattern, what it
matches and its known limits; keep the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_H = r"[0-9a-fA-F]{1,4}"

# SSN parts: area 001-899 except 666, group 01-99, serial 0001-9999 (SSA rules since 2011).
_SSN_AREA = r"(?:00[1-9]|0[1-9][0-9]|[1-578][0-9]{2}|6[0-57-9][0-9]|66[0-57-9])"
_SSN_GROUP = r"(?:0[1-9]|[1-9][0-9])"
_SSN_SERIAL = r"(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"


@dataclass(frozen=True, slots=True)
class Pattern:
    """A named PII pattern.

    `keep_prefix` means the expression's first group is context that stays (the word
    `Bearer `), and only the rest of the match is replaced.
    """

    name: str
    regex: str
    summary: str
    keep_prefix: bool = False


# Card candidates: 13 to 19 digits, optional single space or dash between digits, starting
# with a payment-card major industry identifier (2 Mastercard 2-series, 3 Amex/JCB/Diners,
# 4 Visa, 5 Mastercard/Maestro, 6 Discover/UnionPay/Maestro). Greedy: the longest run.
CARD_CANDIDATE = r"\b[2-6](?:[ -]?[0-9]){12,18}\b"
# The shortest such run that ends at a word boundary, tried when the longest fails the Luhn
# check (a card followed by a short number: `4111 1111 1111 1111 123`).
CARD_SHORTEST = r"[2-6](?:[ -]?[0-9]){12,18}?\b"

# Alternatives longest first (leftmost-first alternation would stop at a shorter one). The
# first group, kept, is what precedes the address: the start, or a character that cannot
# be part of one, so that `std::vector` or `Cart::add` is not an address.
_IPV6 = (
    r"(^|[^0-9A-Za-z_:.])(?:"
    + "|".join(
        (
            rf"(?:{_H}:){{7}}{_H}\b",
            rf"(?:[fF][eE]80):(?::{_H}){{0,4}}%[0-9a-zA-Z]+",
            rf"::(?:[fF]{{4}}(?::0{{1,4}})?:){_IPV4}\b",
            rf"(?:{_H}:){{1,4}}:{_IPV4}\b",
            rf"{_H}:(?::{_H}){{1,6}}\b",
            rf"(?:{_H}:){{1,2}}(?::{_H}){{1,5}}\b",
            rf"(?:{_H}:){{1,3}}(?::{_H}){{1,4}}\b",
            rf"(?:{_H}:){{1,4}}(?::{_H}){{1,3}}\b",
            rf"(?:{_H}:){{1,5}}(?::{_H}){{1,2}}\b",
            rf"(?:{_H}:){{1,6}}:{_H}\b",
            rf"(?:{_H}:){{1,7}}:",
            rf"::{_H}(?::{_H}){{0,6}}\b",
        )
    )
    + ")"
)

BUILTIN: dict[str, Pattern] = {
    p.name: p
    for p in (
        Pattern(
            "jwt",
            r"\beyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*",
            "JSON Web Tokens (header and payload are base64url JSON objects, so both start "
            "with `eyJ`); the signature may be empty",
        ),
        Pattern(
            "bearer_token",
            r"(?i)(\bbearer[ \t]+)[A-Za-z0-9._~+/-]+=*",
            "the credential after `Bearer ` (RFC 6750 token68 characters); the word Bearer is kept",
            keep_prefix=True,
        ),
        Pattern(
            "aws_access_key",
            r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
            "AWS access key ids (the prefixes gitleaks uses)",
        ),
        Pattern(
            "email",
            r"[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}",
            "addresses with plus tags and subdomains; ASCII only",
        ),
        Pattern(
            "iban",
            r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2}"
            r"(?: ?[A-Z0-9]{4}(?: ?[A-Z0-9]{4}){0,4}(?: ?[A-Z0-9]{1,3})?| ?[A-Z0-9]{3})\b",
            "IBANs, compact or in groups of four; the mod-97 check is not applied",
        ),
        Pattern(
            "ssn",
            "|".join(
                rf"\b{_SSN_AREA}{sep}{_SSN_GROUP}{sep}{_SSN_SERIAL}\b" for sep in ("-", " ", r"\.")
            ),
            "valid US Social Security numbers (area 001-899 but 666, group 01-99, serial "
            "0001-9999) written with `-`, space or `.` between the parts",
        ),
        Pattern(
            "phone",
            "|".join(
                (
                    r"\+[1-9](?:[ .()-]{0,2}[0-9]){6,14}\b",
                    r"(?:\([2-9][0-9]{2}\) ?|\b[2-9][0-9]{2}[.-])[2-9][0-9]{2}[.-][0-9]{4}\b",
                    r"\b[2-9][0-9]{2} [2-9][0-9]{2} [0-9]{4}\b",
                    r"\b0[1-9][0-9]{1,4}[ -][0-9]{3,4}[ -]?[0-9]{3,4}\b",
                    r"\b0[1-9](?:[ .][0-9]{2}){4}\b",
                )
            ),
            "E.164 (`+` and 7-15 digits, separators and parentheses allowed), North American "
            "`(415) 555-2671` / `415-555-2671` / `415.555.2671` / `415 555 2671`, and trunk-"
            "prefixed national numbers with separators (`020 7946 0958`, `06 12 34 56 78`)",
        ),
        Pattern(
            "ipv6",
            _IPV6,
            "full, compressed, zone-indexed and IPv4-embedded IPv6, not preceded by a letter, "
            "digit, `_`, `:` or `.` (the preceding character is kept)",
            keep_prefix=True,
        ),
        Pattern(
            "ipv4",
            rf"\b{_IPV4}\b",
            "dotted-quad IPv4 addresses with octets 0-255 (a four-part version string such "
            "as 1.2.3.4 is indistinguishable and is masked)",
        ),
        Pattern(
            "credit_card",
            CARD_CANDIDATE,
            "payment card numbers: 13-19 digits starting 2-6, optional space or dash "
            "separators; Luhn-checked in every place (see docs/redaction.md)",
        ),
    )
}

# Applied in this order: tokens and IBANs (whose account digits look like a card number)
# first, then cards before any shorter shape (a national phone number) could eat part of a
# card number and leave the rest unrecognisable, then the shorter shapes.
ORDER: tuple[str, ...] = (
    "jwt",
    "bearer_token",
    "aws_access_key",
    "email",
    "iban",
    "credit_card",
    "ssn",
    "phone",
    "ipv6",
    "ipv4",
)
assert set(ORDER) == set(BUILTIN)

# Triggers: for each pattern a cheaper expression that every one of its matches contains (a
# necessary condition). A record whose text has no trigger skips all redaction statements;
# a pattern whose trigger is absent skips its own. Most start with a literal (`@`, `eyJ`),
# which Go's regexp finds with a substring search instead of running the automaton.
# tests/collector/test_patterns.py checks on the corpus that each trigger finds every match.
TRIGGER: dict[str, str] = {
    "jwt": r"eyJ[A-Za-z0-9_-]{2,}\.eyJ",
    "bearer_token": r"(?i:bearer)(?:[ \t]|\\t)",  # `\t`: a tab in a map's JSON
    "aws_access_key": r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}",
    "email": r"@[A-Za-z0-9-]+\.[A-Za-z0-9-]",
    "iban": r"[A-Z][A-Z][0-9]{2} ?[A-Z0-9]{4} ?[A-Z0-9]{4}",
    "credit_card": r"[2-6](?:[ -]?[0-9]){12,18}\b",
    "ssn": r"[0-9]{3}[-. ][0-9]{2}[-. ][0-9]{4}",
    "phone": "|".join(
        (
            r"\+[1-9](?:[ .()-]{0,2}[0-9]){6}",
            r"\) ?[2-9][0-9]{2}[.-][0-9]{4}",
            r"[2-9][0-9]{2}[.-][2-9][0-9]{2}[.-][0-9]{4}",
            r"[2-9][0-9]{2} [2-9][0-9]{2} [0-9]{4}",
            r"0[1-9][0-9]{1,4}[ -][0-9]{3}",
            r"0[1-9][ .][0-9]{2}[ .][0-9]{2}",
        )
    ),
    "ipv6": r"::|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]|[fF][eE]80:",
    "ipv4": r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]",
}
assert set(TRIGGER) == set(BUILTIN)

# The first, cheapest look at every record: does it carry a candidate for anything? Go's
# regexp has no DFA: it scans a text fast only when the expression starts with a literal (it
# jumps from one occurrence of the literal to the next with a byte search, and runs the
# automaton only there); an expression led by a character class costs a pass of its
# automaton over every byte (about 15-20 ns per byte on the reference machine), and more the
# more it branches at each byte. Each OTTL IsMatch call costs about 0.13 us on top, whatever
# it finds. So each pattern gets necessary conditions (`lead`, then the rest) that start
# with a literal wherever one exists (the separators of SSNs, phone numbers and IPv4
# addresses), and first_look() splits a small leading class into one literal lead per
# character (cards' `[2-6]`, bearer's `[Bb]`) and merges the checks of a policy that share a
# lead into one expression (`-(?:rest|rest)`), searched once. Only IBANs keep a class lead:
# 26 capital letters would cost 26 calls, more than the one pass over every byte; the
# single-letter leads inside that class (`A` of AWS keys, `B` of Bearer) join the pass.
#
# The text is the record's string fields and its maps as JSON, where a tab is written `\t`
# and `<`, `>`, `&` as `\u003c`...: no check relies on a character JSON escapes, and the
# bearer check accepts the escaped tab. A check ending in `\b` (cards) holds there too: an
# escape starts with a backslash, which is not a word character.
# test_patterns.py checks on the corpus that these are necessary conditions.
FirstLook = tuple[tuple[str, str], ...]
FIRST_LOOK: dict[str, FirstLook] = {
    "jwt": (("eyJ", r"[A-Za-z0-9_-]{2,}\.eyJ"),),
    "bearer_token": (("[Bb]", r"(?i:earer)(?:[ \t]|\\t)"),),
    "aws_access_key": (("A", r"(?:3T[A-Z0-9]|KIA|SIA|BIA|CCA)[A-Z0-9]{16}"),),
    "email": (("@", r"[A-Za-z0-9-]+\.[A-Za-z0-9-]"),),
    "iban": (("[A-Z]", r"[A-Z][0-9]{2} ?[A-Z0-9]{4} ?[A-Z0-9]{4}"),),
    "credit_card": (("[2-6]", r"(?:[ -]?[0-9]){12,18}\b"),),
    "ssn": (
        ("-", r"[0-9]{2}-[0-9]{4}"),
        (r"\.", r"[0-9]{2}\.[0-9]{4}"),
        (" ", r"[0-9]{2} [0-9]{4}"),
    ),
    "phone": (
        (r"\+", r"[1-9](?:[ .()-]{0,2}[0-9]){6}"),  # +44 20 7946 0958
        (r"\)", r" ?[2-9][0-9]{2}[.-][0-9]{4}"),  # (415) 555-2671
        ("-", r"[2-9][0-9]{2}[.-][0-9]{4}"),  # 415-555-2671
        (r"\.", r"[2-9][0-9]{2}[.-][0-9]{4}"),  # 415.555.2671
        (" ", r"[2-9][0-9]{2} [0-9]{4}"),  # 415 555 2671
        ("0", r"[1-9][0-9]{1,4}[ -][0-9]{3}"),  # 020 7946 0958
        ("0", r"[1-9][ .][0-9]{2}[ .][0-9]{2}"),  # 06 12 34 56 78
    ),
    "ipv6": ((":", r"(?::|%|[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}:)"),),
    "ipv4": ((r"\.", r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]"),),
}
assert set(FIRST_LOOK) == set(BUILTIN)

# A leading class of at most this many characters is searched as that many literal-led
# expressions: each costs a call and a byte search (about 0.15 us on typical text), against
# one pass over every byte for the class (several us on a few hundred bytes).
SPLIT_CLASS_MAX = 8


@dataclass(frozen=True, slots=True)
class Check:
    """A first-look expression, searched in the record's text."""

    regex: str


def pattern_checks(name: str) -> tuple[Check, ...]:
    """The first-look checks of one pattern, one expression per lead."""
    return first_look([name])


def first_look(patterns: Iterable[str], split: bool = True) -> tuple[Check, ...]:
    """The first-look checks of `patterns`, merged by lead.

    Literal-led expressions first, in the order their leads first appear in `ORDER` (with
    `split`, small leading classes become one literal per character); the checks still led
    by a class last, merged into one with the single characters that class holds:
    `[A-Z](?:iban rest|aws rest|bearer rest)`. (Each rest then also follows the other
    characters of the class: a looser condition, still a necessary one.) Without `split`,
    for a text of a few dozen bytes, where one pass over every byte costs less than the
    calls of the split leads: `[BbA-Z2-6](?:bearer rest|aws rest|iban rest|card rest)`.
    """
    chosen = set(patterns)
    checks = [
        (lead, rest)
        for name in ORDER
        if name in chosen
        for class_lead, rest in FIRST_LOOK[name]
        for lead in (split_lead(class_lead) if split else (class_lead,))
    ]
    by_lead: dict[str, list[str]] = {}
    for lead, rest in checks:
        tails = by_lead.setdefault(lead, [])
        if rest not in tails:
            tails.append(rest)
    classes = [lead for lead in by_lead if _is_class(lead)]
    if not classes:
        return tuple(Check(_join(lead, tails)) for lead, tails in by_lead.items())
    union = "[" + "".join(c[1:-1] for c in classes) + "]"
    joining = [lead for lead in by_lead if lead in classes or re.fullmatch(union, lead)]
    alone = [Check(_join(lead, by_lead[lead])) for lead in by_lead if lead not in joining]
    return (*alone, Check(_join(union, [t for lead in joining for t in by_lead[lead]])))


def split_lead(lead: str) -> tuple[str, ...]:
    """`lead` as literal leads, or as it is if it is not a small class.

    A class of at most SPLIT_CLASS_MAX letters and digits gives one lead per character:
    `[2-6]` -> 2, 3, 4, 5, 6.
    """
    if not _is_class(lead):
        return (lead,)
    chars = [c for a, b in re.findall(r"(.)(?:-(.))?", lead[1:-1]) for c in _span(a, b or a)]
    if len(chars) > SPLIT_CLASS_MAX or not all(c.isascii() and c.isalnum() for c in chars):
        return (lead,)
    return tuple(chars)


def _span(first: str, last: str) -> list[str]:
    return [chr(code) for code in range(ord(first), ord(last) + 1)]


def _is_class(lead: str) -> bool:
    return lead.startswith("[")


def _join(lead: str, tails: list[str]) -> str:
    return lead + (tails[0] if len(tails) == 1 else f"(?:{'|'.join(tails)})")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a digits-only string (what OTTL's IsValidLuhn computes)."""
    if not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0
