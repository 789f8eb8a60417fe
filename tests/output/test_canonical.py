"""Canonical serialisation: one style, stable bytes, no anchors, no wrapping."""

from __future__ import annotations

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
