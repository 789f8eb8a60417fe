"""The canonical YAML emitter: whatever it writes, a YAML 1.2 parser reads back unchanged."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from compiler.output.yaml_emitter import emit

TRICKY = [
    "",
    " ",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "true",
    "1",
    "0.5",
    "1e3",
    ".inf",
    "-",
    "- x",
    "a: b",
    "a #b",
    "#x",
    "x:",
    "'q'",
    '"q"',
    "line\nline",
    "trail\n",
    " lead",
    "tab\there",
    'sum(rate(x{a="b"}[5m])) > 0.1',
    "$__rate_interval",
    "http://x/y?z=1",
    "[a]",
    "{a}",
    "@x",
    "`x`",
    "|",
    ">",
    "%x",
    "!x",
    "&a",
    "*a",
    "ü",
    "\u2028",
    "x\r\ny",
    "a\n\nb",
    "\n",
    "0x1F",
    "0o7",
    "1_000",
    "2001-12-14",
    "=",
    "<<",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.sampled_from(TRICKY),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(), st.sampled_from(TRICKY)), children, max_size=4),
    ),
    max_leaves=25,
)


def _load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


@settings(max_examples=600, deadline=None)
@given(documents)
def test_round_trip(data: Any) -> None:
    assert _load(emit(data)) == data


def test_tricky_strings_round_trip_as_keys_and_values() -> None:
    data = {text: [text, {text: text}] for text in TRICKY}
    assert _load(emit(data)) == data


def test_style_is_readable() -> None:
    text = emit(
        {
            "groups": [
                {
                    "name": "g",
                    "rules": [
                        {"alert": "A", "expr": "(\n  x > 1\n  or\n  y > 2\n)", "for": "5m"},
                        {"record": "r", "expr": 'sum(x{a="b"})', "labels": {}},
                    ],
                }
            ],
            "window": "30d",
            "ratio": 0.0144,
        }
    )
    assert text == (
        "groups:\n"
        "- name: g\n"
        "  rules:\n"
        "  - alert: A\n"
        "    expr: |-\n"
        "      (\n"
        "        x > 1\n"
        "        or\n"
        "        y > 2\n"
        "      )\n"
        "    for: '5m'\n"
        "  - record: r\n"
        "    expr: 'sum(x{a=\"b\"})'\n"
        "    labels: {}\n"
        "window: '30d'\n"
        "ratio: 0.0144\n"
    )
