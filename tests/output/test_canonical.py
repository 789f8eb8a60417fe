"""Canonical serialisation: one style, stable bytes, no anchors, no wrapping."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from compiler.output.canonical import dump_json, dump_yaml


def test_yaml_style_is_fixed() -> None:
    shared = {"k": "v"}
    data = {"b": 1, "a": [1, {"x": "y: z", "n": None}], "u": "ü", "s": shared, "t": shared}
    assert (
        dump_yaml(data)
        == ("b: 1\na:\n- 1\n- x: 'y: z'\n  'n': null\nu: 'ü'\ns:\n  k: v\nt:\n  k: v\n").encode()
    )


def test_yaml_never_wraps_long_lines() -> None:
    expr = "sum(rate(http_requests_total{status=~'5..'}[5m])) / " * 20
    assert dump_yaml({"expr": expr}).count(b"\n") == 1


def test_json_is_sorted_and_ends_with_newline() -> None:
    assert (
        dump_json({"b": [2, 1], "a": 0.1}) == b'{\n  "a": 0.1,\n  "b": [\n    2,\n    1\n  ]\n}\n'
    )


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=1000, deadline=None)
@given(_JSON)
def test_json_bytes_are_the_standard_librarys(data: object) -> None:
    """orjson is a speed-up only: the bytes are always json.dumps(indent=2, sort_keys=True),
    with the characters YAML refuses escaped."""
    expected = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    expected = _NOT_IN_YAML.sub(lambda match: f"\\u{ord(match.group()):04x}", expected)
    assert dump_json(data) == (expected + "\n").encode("utf-8")


_NOT_IN_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_json_embeds_in_yaml(text: str) -> None:
    """A dashboard's JSON is embedded in a Helm ConfigMap as a block scalar: YAML readers
    (Go's, and ruamel's, which checks the same characters) must take it whatever it holds."""
    document = dump_json({"title": text}).decode("utf-8")
    embedded = "data: |\n" + "".join(f"  {line}\n" for line in document.split("\n")[:-1])
    assert json.loads(YAML(typ="safe", pure=True).load(embedded)["data"]) == {"title": text}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {1: "int key"}, 2**70])
def test_json_keeps_the_standard_librarys_refusals_and_conversions(value: object) -> None:
    try:
        expected: bytes | type[Exception] = (
            json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
        ).encode()
    except ValueError:
        expected = ValueError
    if expected is ValueError:
        with pytest.raises(ValueError):
            dump_json(value)
    else:
        assert dump_json(value) == expected
