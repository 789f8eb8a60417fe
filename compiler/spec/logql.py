"""LogQL log queries of a logs SLI, checked at validate time.

A logs SLI names the lines it counts with LogQL *log* queries: a stream selector and a
pipeline (`{service_name="checkout"} |= "payment" | json | status >= 500`). obsc turns each
into a metric query itself (`sum(count_over_time(<query> [1m]))`, targets/alerts/loki.py),
so a metric query here is a mistake worth naming. No Python LogQL parser is maintained, so
this module reads the grammar of Loki's log queries (stream selector, line filters, parser,
formatting and label-filter stages) well enough to point at the column where a query goes
wrong; lokitool checks the rendered rules in CI as the final word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from compiler.output.query_strings import string_value

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*"|`[^`]*`)
  | (?P<op>\|=|\|~|\|>|!=|!~|!>|=~|==|>=|<=|=|>|<|\||\{|\}|,|\(|\)|\[|\])
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[a-zA-Z]+)?)
  | (?P<ident>[a-zA-Z_][a-zA-Z0-9_.]*)
    """,
    re.VERBOSE,
)
_KIND_NAMES = {"string": "a quoted string", "ident": "a label name"}
_SELECTOR_OPS = ("=", "!=", "=~", "!~")
_LINE_FILTERS = ("|=", "!=", "|~", "!~", "|>", "!>")
_COMPARISONS = ("=", "!=", "=~", "!~", ">", ">=", "<", "<=", "==")
_BARE_STAGES = ("json", "logfmt", "unpack", "decolorize")
_STRING_STAGES = ("regexp", "pattern", "line_format")
_LIST_STAGES = ("drop", "keep", "label_format")
_METRIC_FUNCTIONS = frozenset(
    {
        "count_over_time",
        "rate",
        "rate_counter",
        "bytes_over_time",
        "bytes_rate",
        "sum",
        "avg",
        "min",
        "max",
        "count",
        "topk",
        "bottomk",
        "sum_over_time",
        "avg_over_time",
        "quantile_over_time",
        "absent_over_time",
        "vector",
    }
)


class LogQLError(ValueError):
    """A log query that does not parse; `column` is 1-based within the query."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    column: int


@dataclass(slots=True)
class LogQuery:
    """What a parsed log query selects: its stream matchers `(label, op, value)`."""

    matchers: list[tuple[str, str, str]] = field(default_factory=list)


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None:
            raise LogQLError(f"unexpected character {query[position]!r}", position + 1)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position + 1))
        position = match.end()
    return tokens


def _unquote(text: str) -> str:
    """A string token's value: a backquoted one is raw, a double-quoted one has escapes."""
    return text[1:-1] if text.startswith("`") else string_value(text[1:-1])


class _Reader:
    def __init__(self, query: str) -> None:
        self.tokens = _tokens(query)
        self.index = 0
        self.end = len(query) + 1

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected: str, *texts: str) -> _Token:
        token = self.peek()
        wanted = _KIND_NAMES.get(expected, expected)
        if token is None:
            raise LogQLError(f"the query ends where {wanted} should follow", self.end)
        if (texts and token.text not in texts) or (not texts and token.kind != expected):
            raise LogQLError(f"expected {wanted}, found {token.text!r}", token.column)
        self.index += 1
        return token


def parse_log_query(query: str) -> LogQuery:
    """The stream matchers of `query`; LogQLError where it is not a LogQL log query."""
    reader = _Reader(query)
    first = reader.peek()
    if first is not None and first.kind == "ident" and first.text in _METRIC_FUNCTIONS:
        raise LogQLError(
            f"{first.text}(...) is a metric query; give the log query whose lines are "
            "counted (obsc wraps it in count_over_time)",
            first.column,
        )
    result = LogQuery()
    _selector(reader, result)
    while reader.peek() is not None:
        _stage(reader)
    if not result.matchers:
        raise LogQLError("a stream selector needs at least one matcher", 1)
    return result


def _selector(reader: _Reader, result: LogQuery) -> None:
    reader.take("a stream selector `{...}`", "{")
    while True:
        token = reader.peek()
        if token is not None and token.text == "}":
            reader.take("}", "}")
            return
        label = reader.take("ident").text
        op = reader.take("a matcher operator (=, !=, =~, !~)", *_SELECTOR_OPS).text
        value = _unquote(reader.take("string").text)
        result.matchers.append((label, op, value))
        after = reader.take("`,` or `}`", ",", "}")
        if after.text == "}":
            return


def _stage(reader: _Reader) -> None:
    token = reader.take("a line filter or `|` stage", *_LINE_FILTERS, "|")
    if token.text in _LINE_FILTERS:
        reader.take("string")
        while (next_ := reader.peek()) is not None and next_.text == "or":
            reader.take("or", "or")
            reader.take("string")
        return
    name = reader.peek()
    if name is None:
        raise LogQLError("the query ends after `|`", reader.end)
    if name.kind == "ident" and name.text in _BARE_STAGES:
        reader.take("ident")
        while (param := reader.peek()) is not None and param.kind == "ident":
            if param.text in ("and", "or"):
                break
            reader.take("ident")  # json's field extractions, logfmt's --strict flags
            if (eq := reader.peek()) is not None and eq.text == "=":
                reader.take("=", "=")
                reader.take("string")
            if (comma := reader.peek()) is not None and comma.text == ",":
                reader.take(",", ",")
        return
    if name.kind == "ident" and name.text in _STRING_STAGES:
        reader.take("ident")
        reader.take("string")
        return
    if name.kind == "ident" and name.text in _LIST_STAGES:
        reader.take("ident")
        _label_list(reader)
        return
    _label_filter(reader)


def _label_list(reader: _Reader) -> None:
    while True:
        reader.take("ident")
        if (op := reader.peek()) is not None and op.text in _COMPARISONS:
            reader.take("an operator", *_COMPARISONS)
            _value(reader)
        if (comma := reader.peek()) is None or comma.text != ",":
            return
        reader.take(",", ",")


def _label_filter(reader: _Reader) -> None:
    while True:
        if (paren := reader.peek()) is not None and paren.text == "(":
            reader.take("(", "(")
            _label_filter(reader)
            reader.take("`)`", ")")
        else:
            reader.take("ident")
            reader.take("a comparison (=, !=, =~, !~, >, >=, <, <=, ==)", *_COMPARISONS)
            _value(reader)
        joint = reader.peek()
        if joint is None or joint.text not in ("and", "or", ","):
            return
        reader.index += 1


def _value(reader: _Reader) -> None:
    token = reader.peek()
    if token is None:
        raise LogQLError("the query ends where a quoted string or number should follow", reader.end)
    if token.kind not in ("string", "number"):
        raise LogQLError(f"expected a quoted string or number, found {token.text!r}", token.column)
    reader.index += 1
