"""The value parsers behind `obsc render --set` (targets/settings.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from targets import settings

Parser = Callable[[str, str], object]


@pytest.mark.parametrize(
    ("parse", "value", "expected"),
    [
        (settings.port, "9090", 9090),
        (settings.address, "127.0.0.1:9093", "127.0.0.1:9093"),
        (settings.address, ":3100", ":3100"),
        (settings.address, "[::1]:3100", "[::1]:3100"),
        (settings.address, "alertmanager:9093", "alertmanager:9093"),
        (settings.url, "http://127.0.0.1:9090/", "http://127.0.0.1:9090"),
        (settings.url, "https://loki.example.com/base", "https://loki.example.com/base"),
        (settings.duration, "2s", "2s"),
        (settings.duration, "1m30s", "1m30s"),
        (settings.duration, "500ms", "500ms"),
        (settings.directory, "/tmp/x/", "/tmp/x"),
    ],
)
def test_accepted(parse: Parser, value: str, expected: object) -> None:
    assert parse("t.key", value) == expected


@pytest.mark.parametrize(
    ("parse", "value", "expected"),
    [
        (settings.port, "0", "expected a port 1-65535"),
        (settings.port, "65536", "expected a port 1-65535"),
        (settings.address, "127.0.0.1", "expected HOST:PORT"),
        (settings.address, "127.0.0.1:99999", "expected HOST:PORT with a port 1-65535"),
        (settings.address, "a b:80", "expected HOST:PORT"),
        (settings.url, "127.0.0.1:9090", "expected an http:// or https:// URL"),
        (settings.url, "ftp://x", "expected an http:// or https:// URL"),
        (settings.url, "http://", "expected an http:// or https:// URL"),
        (settings.duration, "2", "expected a duration"),
        (settings.duration, "0s", "expected a duration"),
        (settings.duration, "2 s", "expected a duration"),
        (settings.directory, "relative/dir", "expected an absolute directory path"),
        (settings.directory, "/tmp/*", "expected an absolute directory path"),
    ],
)
def test_rejected_with_the_key_named(parse: Parser, value: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected) as raised:
        parse("t.key", value)
    assert str(raised.value).startswith("t.key: ")
    assert repr(value) in str(raised.value)
