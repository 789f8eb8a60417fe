"""The positional loader: values, positions, YAML 1.2 scalars, bounded alias expansion."""

from __future__ import annotations

import resource
import time

from compiler.errors import DiagnosticSink
from compiler.spec.loader import MAX_NODES_PER_DOCUMENT, parse_text


def test_positions_of_keys_and_values() -> None:
    sink = DiagnosticSink()
    (doc,) = parse_text("a:\n  b: [1, 2]\n  c: {d: x}\n", "f.yaml", sink)
    assert not sink.items
    assert doc.data == {"a": {"b": [1, 2], "c": {"d": "x"}}}
    assert str(doc.location(("a", "b", 1))) == "f.yaml:2:10"
    assert str(doc.location(("a", "c", "d"))) == "f.yaml:3:10"
    assert str(doc.key_location(("a", "c"))) == "f.yaml:3:3"
    # an unknown path falls back to its nearest known ancestor
    assert str(doc.location(("a", "c", "missing"))) == "f.yaml:3:6"


def test_yaml_12_core_schema_scalars() -> None:
    sink = DiagnosticSink()
    text = "a: yes\nb: no\nc: on\nd: true\ne: 0x1F\nf: 1_000\ng: 2.5\nh: null\ni: '3'\nj: 010\n"
    (doc,) = parse_text(text, "f.yaml", sink)
    assert doc.data == {
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": True,
        "e": 31,
        "f": 1000,
        "g": 2.5,
        "h": None,
        "i": "3",
        "j": 10,
    }


def test_multi_document_files_keep_their_own_positions() -> None:
    sink = DiagnosticSink()
    docs = parse_text("a: 1\n---\nb: 2\n---\n", "f.yaml", sink)
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}]
    assert str(docs[1].location(("b",))) == "f.yaml:3:4"


def test_alias_bomb_fails_fast_with_bounded_memory() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 12):
        refs = ",".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    text = "\n".join(lines) + "\n"  # 10^12 strings if expanded
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    sink = DiagnosticSink()
    assert parse_text(text, "bomb.yaml", sink) == []
    assert [d.code for d in sink.errors] == ["OBSC004"]
    assert time.process_time() - started < 5  # a bound, not a benchmark: expansion stopped
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 200 * 1024
    assert MAX_NODES_PER_DOCUMENT < 10**6


def test_aliases_within_the_limit_are_expanded() -> None:
    sink = DiagnosticSink()
    (doc,) = parse_text("base: &b {x: 1}\nother: *b\n", "f.yaml", sink)
    assert doc.data == {"base": {"x": 1}, "other": {"x": 1}}
    assert not sink.items


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    sink = DiagnosticSink()
    parse_text("[" * 5000 + "]" * 5000, "deep.yaml", sink)
    assert sink.errors and sink.errors[0].code == "OBSC002"
