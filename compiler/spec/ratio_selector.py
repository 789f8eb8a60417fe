"""Does a ratio SLI measure its own service? Every series selector should say `service="<name>"`.

Every series obsc's stack stores carries the `service` label of the service it came from
(the collector's scrape jobs and the PodMonitors set it). A ratio SLI written as
`sum(rate(http_requests_total[{{window}}]))` therefore sums the requests of every service
that exports that metric, and an SLI copied from another service's spec measures that
service: both render valid rules that page the wrong team. The query is parsed with
promql-parser (the parser of Prometheus' grammar that OBSC313 uses), never by pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler.spec.promql import WINDOW, ratio_query

if TYPE_CHECKING:
    from promql_parser import Expr, Matcher, VectorSelector

SERVICE_LABEL = "service"
CODE = "OBSC330"

# A regex that also matches this name matches (nearly) every service: `.*`, `.+`, `[a-z-]+`.
_PROBE = "obsc-probe-of-another-service-9"


@dataclass(frozen=True, slots=True)
class SelectorProblem:
    """A series selector of a query that does not select (only) the service's own series."""

    selector: str
    reason: str


def selector_problems(query: str, service: str) -> list[SelectorProblem]:
    """The selectors of `query` that are not restricted to `service` (none if it is unparsable).

    A query that does not parse is OBSC313's to report.
    """
    import promql_parser  # lazy: native extension

    try:
        expression = promql_parser.parse(ratio_query(query).replace(WINDOW, "5m"))
    except ValueError:
        return []
    problems: list[SelectorProblem] = []
    for selector in _vector_selectors(expression):
        reason = _why_not_own(selector, service)
        if reason is not None:
            problems.append(SelectorProblem(_display(selector), reason))
    return problems


def _vector_selectors(expression: Expr) -> Iterator[VectorSelector]:
    import promql_parser

    found: list[VectorSelector] = []

    def visit(node: Expr) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            found.append(node)
        return True

    promql_parser.walk(expression, visit)
    return iter(found)


def _why_not_own(selector: VectorSelector, service: str) -> str | None:
    matchers = selector.matchers
    alternatives = matchers.or_matchers or [matchers.matchers]
    reasons = [_why_set_not_own(list(alternative), service) for alternative in alternatives]
    return next((reason for reason in reasons if reason is not None), None)


def _why_set_not_own(matchers: list[Matcher], service: str) -> str | None:
    import promql_parser

    own = [m for m in matchers if m.name == SERVICE_LABEL]
    equal = [m.value for m in own if m.op == promql_parser.MatchOp.Equal]
    if service in equal:
        return None
    if equal:
        return f'selects service "{equal[0]}", not "{service}"'
    regexes = [m.value for m in own if m.op == promql_parser.MatchOp.Re]
    for regex in regexes:
        if not _full_match(regex, service):
            return f'service=~"{regex}" does not match "{service}"'
        if _full_match(regex, _PROBE):
            return f'service=~"{regex}" matches every service'
    if regexes:
        return None
    return f'has no {SERVICE_LABEL}="{service}" matcher: it sums every service\'s series'


def _full_match(regex: str, text: str) -> bool:
    try:
        return re.fullmatch(regex, text) is not None
    except re.error:  # RE2 syntax Python does not know: do not guess
        return True


def _display(selector: VectorSelector) -> str:
    text = str(selector.prettify())
    return text if len(text) <= 80 else text[:77] + "..."


def own_selector_hint(service: str) -> str:
    """How to fix it."""
    return (
        f'add {SERVICE_LABEL}="{service}" to every series selector, e.g. '
        f'sum(rate(http_requests_total{{{SERVICE_LABEL}="{service}"}}[{{{{window}}}}])); '
        "every series of obsc's stack carries the service label of the service it came from"
    )
