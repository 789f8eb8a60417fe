"""Redaction policies as one transform processor: OTTL that masks PII in every signal.

The policies of a group of services are first *combined* (`combine`): one set of patterns,
run once in `patterns.ORDER`, then the custom patterns, so that a lighter policy's pattern
never runs before a stricter one's and eats part of a value (a phone pattern masking only
the tail of a card number).

Per OTTL context (resource, scope, log, span, span event, metric, datapoint):

- attributes named in `dropAttributes` are deleted, and a structured log body is flattened
  (ungated, in the first group of the context);
- per record (log, span, span event, datapoint), in that same group, a *first look*
  (patterns.first_look: necessary conditions that Go's regexp searches cheaply, mostly
  led by a literal) marks the record if its text (string fields, maps' values as JSON) may
  hold a value to mask; the mark's value is that text. The redaction group runs on marked
  records only, takes the text over and removes the mark first. Per resource, scope or
  metric, the union of the precise triggers (patterns.TRIGGER) is the group's condition.
  Inside, each pattern runs only if its own first-look checks and its trigger hit;
- every string field of the context (`Text`) and every string value of its maps (`MapField`)
  gets each pattern replaced; a map that carries a candidate and holds lists or nested maps
  is flattened first, so that their strings are reached, and one that holds an integer
  shaped like a card number is stringified;
- card candidates are Luhn-checked one occurrence at a time everywhere: in a string field
  directly, in a map on a JSON copy of it (`Concat([map], "")`), with each decision written
  back to every value of the map through a regex built from the candidate;
- resource attributes whose keys are in `RESOURCE_KEPT` (service.name, k8s.*, ...) are set
  aside before and put back after, unredacted.

Every group has `error_mode: propagate`: a statement that fails at run time makes the
processor refuse the whole batch, so nothing leaves partly redacted (fail closed); the loss
shows as the processor's incoming minus outgoing items, which a collector-health alert
watches. `tests/collector/test_redaction_run.py` proves all of it in a real collector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from compiler.model import EnvironmentModel, RedactionPolicy, SecretRef
from targets.collector.expansion import EnvReference, expanded
from targets.collector.ottl import MARK, literal, replacement_literal
from targets.collector.patterns import (
    BUILTIN,
    CARD_CANDIDATE,
    CARD_SHORTEST,
    ORDER,
    TRIGGER,
    Check,
    first_look,
    pattern_checks,
)

DEFAULT_REPLACEMENT = "[REDACTED]"
# How many card-shaped candidates per field get an individual Luhn check; any beyond are
# masked without it (fail closed).
LUHN_CANDIDATES_PER_FIELD = 4
# Resource attribute keys never redacted: the identity and placement of the workload,
# which routing, service scoping and the backends' labels depend on.
RESOURCE_KEPT = (
    r"^(?:service\..+|deployment\..+|k8s\..+|container\..+|cloud\..+|host\..+|os\..+"
    r"|process\.runtime\..+|telemetry\..+)$"
)
# A map's JSON has a list or a nested map as a value (the quote is not an escaped one).
_NESTED = r'(?:^|[^\\])":[\[{]'
# Necessary conditions of _NESTED in the record's text, where a map's values are a JSON list
# (a nested value follows `[` or `,`): cheaper than writing the map's JSON to look.
_NESTED_LOOK = (r",[\[{]", r"\[[\[{]")
# A map's JSON has an integer value shaped like a card number.
_INT_CARD = r'":-?[2-6][0-9]{12,18}[,}]'

OTTLStatements = list[str]


@dataclass(frozen=True, slots=True)
class Combined:
    """The redaction policies of a group merged into one pass."""

    patterns: tuple[str, ...]
    custom: tuple[str | SecretRef, ...]
    drop_attributes: tuple[str, ...]
    replacement: str

    @property
    def regexes(self) -> tuple[str, ...]:
        """The custom patterns written as regexes (not secrets)."""
        return tuple(c for c in self.custom if isinstance(c, str))


def combine(policies: Iterable[RedactionPolicy]) -> Combined:
    """One pass doing what every policy asks: the union of their patterns and drops.

    Built-in patterns run in `ORDER` whichever policy names them; custom patterns follow:
    the secrets (`secretRef`) of all policies, then the regexes, in the order of the policies
    and then of their entries. Policies with different
    replacement texts combine with the default one, `[REDACTED]`.
    """
    chosen = list(policies)
    named = {name for p in chosen for name in p.patterns}
    secrets = (s.secret_ref for p in chosen for s in p.secret_patterns)
    regexes = (c.regex for p in chosen for c in p.custom)
    custom: tuple[str | SecretRef, ...] = tuple(dict.fromkeys([*secrets, *regexes]))
    drops = tuple(dict.fromkeys(key for p in chosen for key in p.drop_attributes))
    replacements = {p.replacement for p in chosen}
    replacement = replacements.pop() if len(replacements) == 1 else DEFAULT_REPLACEMENT
    return Combined(tuple(n for n in ORDER if n in named), custom, drops, replacement)


@dataclass(frozen=True, slots=True)
class Text:
    """A string-valued OTTL path and the condition under which it may be read as one."""

    path: str
    guard: str
    candidates: int = LUHN_CANDIDATES_PER_FIELD


@dataclass(frozen=True, slots=True)
class MapField:
    """A map-valued OTTL path; `guard` is None when it is always a map."""

    path: str
    guard: str | None = None
    flatten: bool = True

    @property
    def json(self) -> str:
        """The map as one JSON string, to match against."""
        return f'Concat([{self.path}], "")'


@dataclass(frozen=True, slots=True)
class Context:
    """Where one OTTL context keeps text: string fields and maps."""

    name: str
    texts: tuple[Text, ...]
    maps: tuple[MapField, ...]
    drops: tuple[str, ...] = ()
    kept: str | None = None
    marker: str | None = None
    # Its record's text is a few dozen bytes (attribute values only): the first look keeps
    # the class-led checks whole (patterns.first_look's `split`).
    short: bool = False

    def record(self) -> str:
        """All of the context's text in one string (maps as JSON), for the trigger."""
        return _lines([t.path for t in self.texts] + [m.path for m in self.maps])

    def values(self) -> str:
        """The same without the keys of attribute maps (their values as a JSON list).

        Shorter, so cheaper to scan; a log body may be a string, which Values refuses.
        """
        paths = [t.path for t in self.texts]
        return _lines(paths + [m.path if m.guard else f"Values({m.path})" for m in self.maps])


def _lines(paths: list[str]) -> str:
    """The OTTL string of `paths` (each once, in order), one per line."""
    return f'Concat([{", ".join(dict.fromkeys(paths))}], "\\n")'


def _nonempty(path: str) -> Text:
    """A short string field (a name, a description): two Luhn candidates are enough."""
    return Text(path, f'{path} != ""', candidates=2)


_RESOURCE = Context("resource", (), (MapField("resource.attributes"),), kept=RESOURCE_KEPT)
_SCOPE = Context("scope", (), (MapField("scope.attributes"),))
_LOG = Context(
    "log",
    (
        Text("log.body", "IsString(log.body)"),
        _nonempty("log.severity_text"),
        _nonempty("log.event_name"),
    ),
    (MapField("log.body", "IsMap(log.body)", flatten=False), MapField("log.attributes")),
    drops=("log.attributes",),
    marker="log.attributes",
)
_SPAN = Context(
    "span",
    (_nonempty("span.name"), Text("span.status.message", 'span.status.message != ""')),
    (MapField("span.attributes"),),
    drops=("span.attributes",),
    marker="span.attributes",
)
_SPANEVENT = Context(
    "spanevent",
    (_nonempty("spanevent.name"),),
    (MapField("spanevent.attributes"),),
    drops=("spanevent.attributes",),
    marker="spanevent.attributes",
)
_METRIC = Context("metric", (_nonempty("metric.description"),), ())
_DATAPOINT = Context(
    "datapoint",
    (),
    (MapField("datapoint.attributes"),),
    drops=("datapoint.attributes",),
    marker="datapoint.attributes",
    short=True,
)

SIGNAL_CONTEXTS: dict[str, tuple[Context, ...]] = {
    "log_statements": (_RESOURCE, _SCOPE, _LOG),
    "trace_statements": (_RESOURCE, _SCOPE, _SPAN, _SPANEVENT),
    "metric_statements": (_RESOURCE, _SCOPE, _METRIC, _DATAPOINT),
}


def secret_patterns(model: EnvironmentModel) -> list[SecretRef]:
    """The secrets the environment's custom patterns redact literally, once each.

    The collector reads each from its environment (`SecretRef.variable`); the compose and
    helm targets pass it there from the secret.
    """
    refs = {
        s.secret_ref.variable: s.secret_ref
        for policy in model.redaction_policies
        for s in policy.secret_patterns
    }
    return [refs[v] for v in sorted(refs)]


def _regex_pieces(custom: str | SecretRef) -> tuple[str | EnvReference, ...]:
    """A custom pattern as the pieces of an OTTL string literal.

    A secret is matched literally: `\\Q<value>\\E`, the value read by the collector's loader
    from `${env:OBSC_SECRET_...}` and never written to rendered/.
    """
    if isinstance(custom, str):
        return (literal(custom),)
    return ('"\\\\Q', EnvReference(custom.variable), '\\\\E"')


def transform_config(policies: Iterable[RedactionPolicy]) -> dict[str, object]:
    """The `transform` processor config applying `policies`, combined, to all signals."""
    combined = combine(policies)
    config: dict[str, object] = {"error_mode": "propagate"}
    for key, contexts in SIGNAL_CONTEXTS.items():
        config[key] = [group for context in contexts for group in _groups(combined, context)]
    return config


def trigger(combined: Combined) -> str:
    """The regex any record carrying something `combined` masks contains a match of."""
    parts = [TRIGGER[name] for name in combined.patterns] + list(combined.regexes)
    return "|".join(f"(?:{p})" for p in parts)


def _groups(combined: Combined, context: Context) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    always: OTTLStatements = [
        f"delete_key({target}, {literal(key)}) where {target}[{literal(key)}] != nil"
        for key in combined.drop_attributes
        for target in context.drops
    ]
    if context.name == "log":
        always.append("flatten(log.body) where IsMap(log.body)")
    redacts = bool(combined.patterns or combined.custom)
    if context.marker is not None and redacts:
        # Once per record: the drops, then the cheap first look, which marks the record, in
        # one group (one pass over the records); the redaction runs on marked records only
        # and removes the mark first.
        mark = f"{context.marker}[{literal(MARKER)}]"
        statements = always + _first_look(combined, context, mark)
        out.append({"context": context.name, "statements": statements})
        out.append(
            {
                "context": context.name,
                "conditions": [f"{mark} != nil"],
                "statements": [
                    f"set({_TEXT}, {mark})",
                    f"delete_key({context.marker}, {literal(MARKER)})",
                    *_redaction(combined, context, text_set=True),
                ],
            }
        )
        return out
    if always:
        out.append({"context": context.name, "statements": always})
    if not redacts:
        return out
    # Once per resource, scope or metric: one look at the union of the triggers.
    conditions = [
        f"IsMatch({context.record()}, {literal(trigger(combined))})",
        *(
            _secret_present(f"IsMatch({context.record()}, ", ref, ")")
            for ref in combined.custom
            if isinstance(ref, SecretRef)
        ),
    ]
    out.append(
        {
            "context": context.name,
            "conditions": conditions,
            "statements": _redaction(combined, context),
        }
    )
    return out


# The attribute that marks a record for redaction between the first look and the redaction
# group of the same processor; never exported (removed first thing in the second group). Its
# value is the record's text, which the redaction group takes over instead of writing the
# maps' JSON again.
MARKER = "obsc.redaction.candidate"


def _first_look(combined: Combined, context: Context, mark: str) -> OTTLStatements:
    """Mark the record if its text holds a candidate for any pattern of `combined`.

    One statement: the first-look checks (patterns.first_look, mostly literal-led) and the
    custom regexes, joined by `or`, so a record without any candidate costs one search per
    distinct lead. A secret has its own statement (its value comes from the collector's
    environment).
    """
    out: OTTLStatements = [f"set({_TEXT}, {context.values()})"]
    checks = [_is_match(check) for check in first_look(combined.patterns, not context.short)]
    checks += [f"IsMatch({_TEXT}, {literal(c)})" for c in combined.custom if isinstance(c, str)]
    if checks:
        out.append(f"set({mark}, {_TEXT}) where " + " or ".join(checks))
    unmarked = f"set({mark}, {_TEXT}) where {mark} == nil and "
    out += [
        _secret_present(unmarked + f"IsMatch({_TEXT}, ", c, ")")
        for c in combined.custom
        if isinstance(c, SecretRef)
    ]
    return out


# The record's text (string fields, and the values of its maps as JSON) in the cache.
_TEXT = 'cache["t"]'


def _is_match(check: Check) -> str:
    return f"IsMatch({_TEXT}, {literal(check.regex)})"


def _checks(name: str) -> str:
    """`name`'s first-look checks on the record's text, as one OTTL condition."""
    checks = [_is_match(check) for check in pattern_checks(name)]
    return checks[0] if len(checks) == 1 else f"({' or '.join(checks)})"


def _secret_present(before: str, ref: SecretRef, after: str) -> str:
    """`before <secret literal> after`, true only when the secret is set (not empty)."""
    env = EnvReference(ref.variable)
    return expanded(before, *_regex_pieces(ref), after, ' and "', env, '" != ""')


def _flag_condition(name: str) -> str:
    """Whether pattern `name` may match: its first-look checks, then its precise trigger."""
    checks = _checks(name)
    if Check(TRIGGER[name]) in pattern_checks(name):
        return checks
    return f"{checks} and IsMatch({_TEXT}, {literal(TRIGGER[name])})"


def _flag(index: int) -> str:
    return f'cache["p{index}"] != nil'


def _when(*conditions: str | None) -> str:
    return " and ".join(c for c in conditions if c)


def _redaction(combined: Combined, context: Context, text_set: bool = False) -> OTTLStatements:
    """The gated statements of one context: flags, then each pattern everywhere."""
    # A pattern's flag: its cheap first-look checks, and only if they hit its precise
    # trigger (both necessary conditions of a match in some field or value).
    out: OTTLStatements = [] if text_set else [f"set({_TEXT}, {context.values()})"]
    out += [
        f'set(cache["p{i}"], true) where {_flag_condition(name)}'
        for i, name in enumerate(combined.patterns)
    ]
    for j, custom in enumerate(combined.custom, start=len(combined.patterns)):
        flag = f'set(cache["p{j}"], true) where IsMatch({_TEXT}, '
        out.append(
            expanded(flag, literal(custom), ")")
            if isinstance(custom, str)
            else _secret_present(flag, custom, ")")
        )
    if context.kept is not None:
        (attributes,) = (m.path for m in context.maps)
        kept = literal(context.kept)
        out += [
            f'set(cache["kept"], {attributes})',
            f'keep_matching_keys(cache["kept"], {kept})',
            f"delete_matching_keys({attributes}, {kept})",
        ]
    any_trigger = literal(trigger(combined))
    for m in context.maps:
        if m.flatten:
            json = m.json
            # Cheapest first: literal-led looks for a nested value in the record's text, then
            # the exact one on the map's JSON, and only then the union of the triggers.
            nested = " or ".join(f"IsMatch({_TEXT}, {literal(n)})" for n in _NESTED_LOOK)
            out.append(
                f"flatten({m.path}) where ({nested}) "
                f"and IsMatch({json}, {literal(_NESTED)}) and IsMatch({json}, {any_trigger})"
            )
    replacement = replacement_literal(combined.replacement)
    for i, name in enumerate(combined.patterns):
        flag = _flag(i)
        if name == "credit_card":
            out += _cards(context, flag, replacement)
            continue
        pattern = BUILTIN[name]
        text = (
            literal("${1}" + combined.replacement.replace("$", "$$"))
            if pattern.keep_prefix
            else replacement
        )
        out += _mask(context, flag, (literal(pattern.regex),), text)
    for j, custom in enumerate(combined.custom, start=len(combined.patterns)):
        out += _mask(context, _flag(j), _regex_pieces(custom), replacement)
    if context.kept is not None:
        out.append(f'merge_maps({context.maps[0].path}, cache["kept"], "upsert")')
    return out


def _mask(
    context: Context, flag: str, pattern: tuple[str | EnvReference, ...], replacement: str
) -> OTTLStatements:
    """Every match of `pattern` in every text field and map value of `context`."""
    out = [
        expanded(
            f"replace_pattern({t.path}, ",
            *pattern,
            f", {replacement}) where {_when(flag, t.guard)}",
        )
        for t in context.texts
    ]
    out += [
        expanded(
            f'replace_all_patterns({m.path}, "value", ',
            *pattern,
            f", {replacement}) where {_when(flag, m.guard)}",
        )
        for m in context.maps
    ]
    return out


Writer = Callable[[str, str, str], OTTLStatements]


def _cards(context: Context, flag: str, replacement: str) -> OTTLStatements:
    """Luhn-checked card numbers in every text field and map value of `context`.

    Each field's candidates are checked one at a time; those that pass are replaced, those
    that fail are marked (every digit followed by MARK) so the final pass, which masks every
    card-shaped run left unchecked, skips them; the marks are removed at the end.
    """
    card = literal(CARD_CANDIDATE)
    unmark = literal("([0-9])" + MARK)
    out: OTTLStatements = []
    for t in context.texts:
        guard = _when(flag, t.guard)
        out.append(f"set({_GOING}, true) where {guard}")

        def write_text(
            regex: str, value: str, condition: str, path: str = t.path
        ) -> OTTLStatements:
            return [f"replace_pattern({path}, {regex}, {value}) where {condition}"]

        for _ in range(t.candidates):
            out += _luhn_step(t.path, write_text, replacement)
        out += [
            f"replace_pattern({t.path}, {card}, {replacement}) where {_GOING} != nil",
            f'replace_pattern({t.path}, {unmark}, "${{1}}") where {_MARKED} != nil',
            *_RESET,
        ]
    for m in context.maps:
        guard = _when(flag, m.guard)
        json = m.json
        if m.flatten:
            out.append(
                f"stringify_all({m.path}) where {guard} and IsMatch({json}, {literal(_INT_CARD)})"
            )
        out += [f'set(cache["m"], {json}) where {guard}', f"set({_GOING}, true) where {guard}"]

        def write_map(regex: str, value: str, condition: str, path: str = m.path) -> OTTLStatements:
            return [
                f'replace_pattern(cache["m"], {regex}, {value}) where {condition}',
                f'replace_all_patterns({path}, "value", {regex}, {value}) where {condition}',
            ]

        for _ in range(LUHN_CANDIDATES_PER_FIELD):
            out += _luhn_step('cache["m"]', write_map, replacement)
        out += [
            f'replace_all_patterns({m.path}, "value", {card}, {replacement}) where {_GOING} != nil',
            f'replace_all_patterns({m.path}, "value", {unmark}, "${{1}}") where {_MARKED} != nil',
            *_RESET,
        ]
    return out


# Per field: "a step may still find an unchecked candidate" (unset by the first step that
# finds none, so the remaining steps and the final unchecked pass are skipped), and "a
# candidate was marked" (so the marks must be removed).
_GOING = 'cache["cn"]'
_MARKED = 'cache["mk"]'
# (Each delete only when the key is there: deleting from the cache costs two allocations
# even when there is nothing to delete.)
_RESET = [f'delete_key(cache, "{key}") where cache["{key}"] != nil' for key in ("cn", "mk")]


def _luhn_step(source: str, write: Writer, replacement: str) -> OTTLStatements:
    """Check the first unchecked card candidate of `source`: mask it if it passes Luhn."""
    longest = literal(f"(?P<m>{CARD_CANDIDATE})")
    shortest = literal(f"^(?P<m>{CARD_SHORTEST})")
    separators = literal("[ -]")
    bounded = 'Concat(["\\\\b", cache["{0}"], "\\\\b"], "")'
    cc, cd, cs, cx, cm = (f'cache["{k}"]' for k in ("cc", "cd", "cs", "cx", "cm"))
    longest_ok = f"IsValidLuhn({cd})"
    shortest_ok = f"IsValidLuhn({cx})"
    return [
        f"delete_matching_keys(cache, {literal('^c[cdsxm]$')}) where {cc} != nil",
        f'set({cc}, ExtractPatterns({source}, {longest})["m"]) '
        f"where {_GOING} != nil and IsMatch({source}, {literal(CARD_CANDIDATE)})",
        f'delete_key(cache, "cn") where {cc} == nil and {_GOING} != nil',
        f"set({cd}, {cc}) where {cc} != nil",
        f'replace_pattern({cd}, {separators}, "") where {cc} != nil',
        *write(bounded.format("cc"), replacement, f"{cc} != nil and {longest_ok}"),
        f'set({cs}, ExtractPatterns({cc}, {shortest})["m"]) where {cc} != nil and not {longest_ok}',
        f"set({cx}, {cs}) where {cs} != nil",
        f'replace_pattern({cx}, {separators}, "") where {cs} != nil',
        *write(bounded.format("cs"), replacement, f"{cs} != nil and {shortest_ok}"),
        f"set({cm}, {cc}) where {cc} != nil and not {longest_ok} "
        f"and ({cs} == nil or not {shortest_ok})",
        f'replace_pattern({cm}, "([0-9])", {literal("${1}" + MARK)}) where {cm} != nil',
        f"set({_MARKED}, true) where {cm} != nil",
        *write(bounded.format("cc"), cm, f"{cm} != nil"),
    ]
