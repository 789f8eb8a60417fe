"""The one quoting of PromQL/LogQL/Alertmanager strings, and reading a quoted one back."""

from __future__ import annotations

import pytest

from compiler.output.query_strings import string_literal, string_value
from compiler.report.routing import parse_matchers
from compiler.spec.logql import parse_log_query

AWKWARD = ["plain", 'say "hi"', "C:\\temp", "two\nlines", "\\n is not a newline", 'end\\"', ""]


def test_a_literal_escapes_backslash_quote_and_newline() -> None:
    assert string_literal('a\\b"c\nd') == '"a\\\\b\\"c\\nd"'


@pytest.mark.parametrize("value", AWKWARD)
def test_reading_a_literal_back_gives_the_value(value: str) -> None:
    assert string_value(string_literal(value)[1:-1]) == value


@pytest.mark.parametrize("value", AWKWARD)
def test_the_report_shows_a_matcher_value_as_alertmanager_reads_it(value: str) -> None:
    (matcher,) = parse_matchers({"matchers": [f"team={string_literal(value)}"]})
    assert (matcher.name, matcher.op, matcher.value) == ("team", "=", value)


def test_a_logql_string_reads_its_escapes_and_a_raw_one_does_not() -> None:
    query = parse_log_query('{service_name="api", path="a\\tb\\"", raw=`c\\td`}')
    assert query.matchers == [
        ("service_name", "=", "api"),
        ("path", "=", 'a\tb"'),
        ("raw", "=", "c\\td"),
    ]
