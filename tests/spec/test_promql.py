"""Comments stripped from user PromQL mean the same query, `#` in strings kept."""

from __future__ import annotations

import promql_parser
import pytest

from compiler.spec.promql import ratio_query, strip_comments


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sum(rate(x[5m])) # note", "sum(rate(x[5m]))"),
        ('sum(rate(x{a="#b"}[5m])) # c\n + 1', 'sum(rate(x{a="#b"}[5m])) \n + 1'),
        ("x{a='#'} # z", "x{a='#'}"),
        ('x{a="\\"#"} # z', 'x{a="\\"#"}'),
        ("# first line\nsum(x)", "sum(x)"),
    ],
)
def test_strip_comments_keeps_the_query(query: str, expected: str) -> None:
    stripped = strip_comments(query)
    assert stripped == expected
    assert str(promql_parser.parse(stripped)) == str(promql_parser.parse(query))


def test_ratio_query_normalises_the_placeholder() -> None:
    assert ratio_query("sum(rate(x[{{ window }}])) # {{window}}") == "sum(rate(x[{{window}}]))"
