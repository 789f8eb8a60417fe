"""A redaction policy as a transform processor: OTTL that masks PII in every signal.

For each policy, in `patterns.ORDER` and then the policy's custom patterns:

- attributes named in `dropAttributes` are deleted (log, span, span event and datapoint
  attributes);
- structured log bodies are flattened first, so nested values are reached too;
- every string value of the log body, log attributes, span attributes, span event
  attributes and metric datapoint attributes has each pattern replaced by the policy's
  replacement text;
- card numbers get a Luhn check where OTTL can run one per occurrence: in the *text fields*
  (a string log body, its `message`/`msg` field when structured, `exception.message`,
  the span status message). There each candidate is extracted, stripped of separators and
  checked with IsValidLuhn; valid ones are replaced, rejected ones are marked so that the
  final pass leaves them alone, and the marks are removed at the end. Attribute values get
  the card pattern without the Luhn step (OTTL cannot iterate over a map's values one
  occurrence at a time), so a non-card number shaped like a card is masked there.

`tests/collector/test_redaction_run.py` proves the result in a real collector.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from compiler.model import RedactionPolicy
from targets.collector.ottl import MARK, literal, replacement_literal
from targets.collector.patterns import BUILTIN, CARD_CANDIDATE, CARD_SHORTEST, ORDER

# How many card-shaped candidates per text field get an individual Luhn check; any beyond
# are masked without it (fail closed).
LUHN_CANDIDATES_PER_FIELD = 4

OTTLStatements = list[str]


@dataclass(frozen=True, slots=True)
class Field:
    """A string-valued OTTL path and the condition under which it may be read.

    `standalone` fields are not inside the log body or an attribute map, so the passes
    over those do not reach them and they get their own statements.
    """

    path: str
    guard: str
    standalone: bool = False


@dataclass(frozen=True, slots=True)
class SignalShape:
    """Where one signal keeps its text: string fields, attribute maps, the OTTL context."""

    context: str
    text_fields: tuple[Field, ...]
    maps: tuple[str, ...]
    body: bool = False


_LOG = SignalShape(
    context="log",
    text_fields=(
        Field("log.body", "IsString(log.body)"),
        Field('log.body["message"]', 'IsMap(log.body) and IsString(log.body["message"])'),
        Field('log.body["msg"]', 'IsMap(log.body) and IsString(log.body["msg"])'),
        Field(
            'log.attributes["exception.message"]', 'IsString(log.attributes["exception.message"])'
        ),
    ),
    maps=("log.attributes",),
    body=True,
)
_SPAN = SignalShape(
    context="span",
    text_fields=(Field("span.status.message", 'span.status.message != ""', standalone=True),),
    maps=("span.attributes",),
)
_SPANEVENT = SignalShape(
    context="spanevent",
    text_fields=(
        Field(
            'spanevent.attributes["exception.message"]',
            'IsString(spanevent.attributes["exception.message"])',
        ),
    ),
    maps=("spanevent.attributes",),
)
_DATAPOINT = SignalShape(context="datapoint", text_fields=(), maps=("datapoint.attributes",))


def transform_config(policies: Iterable[RedactionPolicy]) -> dict[str, object]:
    """The `transform` processor config applying `policies` in order to all three signals."""
    chosen = list(policies)

    def groups(shape: SignalShape) -> list[dict[str, object]]:
        statements: OTTLStatements = []
        for policy in chosen:
            statements += _statements(policy, shape)
        return [{"context": shape.context, "statements": statements}] if statements else []

    return {
        "error_mode": "ignore",
        "log_statements": groups(_LOG),
        "trace_statements": groups(_SPAN) + groups(_SPANEVENT),
        "metric_statements": groups(_DATAPOINT),
    }


def _statements(policy: RedactionPolicy, shape: SignalShape) -> OTTLStatements:
    out: OTTLStatements = [
        f"delete_key({target}, {literal(key)})"
        for key in policy.drop_attributes
        for target in shape.maps
    ]
    if shape.body:
        out.append("flatten(log.body) where IsMap(log.body)")
    replacement = replacement_literal(policy.replacement)
    for name in ORDER:
        if name not in policy.patterns:
            continue
        if name == "credit_card":
            out += _cards(shape, replacement)
            continue
        pattern = BUILTIN[name]
        text = (
            literal("${1}" + policy.replacement.replace("$", "$$"))
            if pattern.keep_prefix
            else replacement
        )
        out += _mask_everywhere(shape, pattern.regex, text)
    for custom in policy.custom:
        out += _mask_everywhere(shape, custom.regex, replacement)
    return out


def _cards(shape: SignalShape, replacement: str) -> OTTLStatements:
    """Luhn-checked cards in text fields, then every card-shaped run elsewhere.

    Runs before the other patterns, so that none of them (a national phone number, say)
    eats part of a card and leaves the rest unrecognisable; the marks on Luhn-rejected
    candidates are removed at the end of this step, so the other patterns still see them.
    """
    out: OTTLStatements = []
    for field in shape.text_fields:
        for _ in range(LUHN_CANDIDATES_PER_FIELD):
            out += _luhn_step(field, replacement)
    out += _mask_everywhere(shape, CARD_CANDIDATE, replacement)
    unmark = literal("([0-9])" + MARK)
    out += [
        f'replace_pattern({f.path}, {unmark}, "${{1}}") where {f.guard}' for f in shape.text_fields
    ]
    return out


def _mask_everywhere(shape: SignalShape, regex: str, replacement: str) -> OTTLStatements:
    pattern = literal(regex)
    out: OTTLStatements = []
    if shape.body:
        out.append(f"replace_pattern(log.body, {pattern}, {replacement}) where IsString(log.body)")
        out.append(
            f'replace_all_patterns(log.body, "value", {pattern}, {replacement}) '
            "where IsMap(log.body)"
        )
    out += [
        f"replace_pattern({field.path}, {pattern}, {replacement}) where {field.guard}"
        for field in shape.text_fields
        if field.standalone
    ]
    out += [
        f'replace_all_patterns({target}, "value", {pattern}, {replacement})'
        for target in shape.maps
    ]
    return out


def _luhn_step(field: Field, replacement: str) -> OTTLStatements:
    """Check the first unchecked card candidate of `field`: mask it if it passes Luhn."""
    f = field.path
    longest = literal(f"(?P<m>{CARD_CANDIDATE})")
    shortest = literal(f"^(?P<m>{CARD_SHORTEST})")
    separators = literal("[ -]")
    bounded = 'Concat(["\\\\b", cache["{0}"], "\\\\b"], "")'
    cc, cd, cs, cx, cm = (f'cache["{k}"]' for k in ("cc", "cd", "cs", "cx", "cm"))
    longest_ok = f"IsValidLuhn({cd})"
    shortest_ok = f"IsValidLuhn({cx})"
    return [
        f"delete_matching_keys(cache, {literal('^c[cdsxm]$')})",
        f'set({cc}, ExtractPatterns({f}, {longest})["m"]) '
        f"where {field.guard} and IsMatch({f}, {literal(CARD_CANDIDATE)})",
        f"set({cd}, {cc}) where {cc} != nil",
        f'replace_pattern({cd}, {separators}, "") where {cc} != nil',
        f"replace_pattern({f}, {bounded.format('cc')}, {replacement}) "
        f"where {cc} != nil and {longest_ok}",
        f'set({cs}, ExtractPatterns({cc}, {shortest})["m"]) where {cc} != nil and not {longest_ok}',
        f"set({cx}, {cs}) where {cs} != nil",
        f'replace_pattern({cx}, {separators}, "") where {cs} != nil',
        f"replace_pattern({f}, {bounded.format('cs')}, {replacement}) "
        f"where {cs} != nil and {shortest_ok}",
        f"set({cm}, {cc}) where {cc} != nil and not {longest_ok} "
        f"and ({cs} == nil or not {shortest_ok})",
        f'replace_pattern({cm}, "([0-9])", {literal("${1}" + MARK)}) where {cm} != nil',
        f"replace_pattern({f}, {bounded.format('cc')}, {cm}) where {cm} != nil",
    ]
