"""One serialisation style for every rendered file: stable bytes on any machine.

JSON: sorted keys, two-space indent, UTF-8, LF, final newline. YAML: block style, two-space
indent with sequences flush under their key, keys in the order the renderer built them
(renderers choose a meaningful order), no anchors, no line wrapping, LF, final newline,
written by obsc's own emitter (compiler.output.yaml_emitter) so that the bytes depend on
nothing installed. Floats are written by Python's shortest round-trip repr, the same on
every platform.

JSON is encoded by orjson (C) when that gives the bytes `json.dumps(indent=2,
sort_keys=True, ensure_ascii=False)` gives, and by the standard library otherwise: the two
agree on structure, key order and string escaping, and differ only in floats that Python
writes with an exponent (`1e-05`, `1e+16`), which orjson writes as `0.00001` and `1e16`.
Output where such a float could appear (a number token with `e`, or `0.0000`) is re-encoded by
`json`, so the bytes are always the standard library's (tests/output/test_canonical.py),
except that characters YAML refuses or reads as line breaks (DEL, C1 controls, U+2028,
U+2029, U+FFFE, U+FFFF) are escaped.
The standard library's indenting encoder is pure Python and was 40% of a render's time;
this is about four times faster.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from compiler.output.yaml_emitter import emit

# A number token (at the start, after `": ` or at the start of an array line) with an
# exponent, or below 1e-4 in decimal notation. A string can only match by containing `\": `
# (harmless: the standard library then encodes that document). The quick pattern is
# checked first; both run in RE2, whose automaton scans megabytes in milliseconds where
# Python's `re` took a fifth of a render.
_QUICK = rb"[0-9][eE]|0\.0000"
_PRECISE = rb'(?:^|": |\n *)-?(?:[0-9]+(?:\.[0-9]+)?[eE]|0\.0000)'


@functools.cache
def _float_scanners() -> tuple[Any, Any]:
    import re2

    return re2.compile(_QUICK), re2.compile(_PRECISE)


# Characters JSON may hold raw but YAML may not, as UTF-8: DEL, the C1 controls and U+FFFE,
# U+FFFF (not printable), and NEL, U+2028, U+2029 (line breaks to YAML 1.1 readers such as
# Go's). Inside a JSON document they can only be part of a string.
_NOT_YAML_PRINTABLE = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xef\xbf[\xbe\xbf]|\xe2\x80[\xa8\xa9]")


def _yaml_embeddable(encoded: bytes) -> bytes:
    """JSON with the characters YAML refuses written as `\\uXXXX` escapes (the same data).

    Rendered JSON is embedded in YAML as text (a dashboard in a Helm ConfigMap), and Go's
    YAML readers refuse those characters even inside a block scalar.
    """
    if not any(lead in encoded for lead in (b"\x7f", b"\xc2", b"\xe2", b"\xef")):
        return encoded
    return _NOT_YAML_PRINTABLE.sub(
        lambda match: f"\\u{ord(match.group().decode()):04x}".encode(), encoded
    )


def _stdlib_json(data: Any) -> bytes:
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return _yaml_embeddable((text + "\n").encode("utf-8"))


def dump_json(data: Any) -> bytes:
    """Canonical JSON bytes."""
    import orjson  # lazily: start-up stays light for commands that write no JSON

    try:
        encoded = orjson.dumps(
            data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
        )
    except TypeError:  # non-string keys, integers beyond 64 bits: what json handles alone
        return _stdlib_json(data)
    quick, precise = _float_scanners()
    if quick.search(encoded) and precise.search(encoded):
        return _stdlib_json(data)
    # orjson writes NaN and infinities as null where json refuses them: read back, such a
    # document (or one with tuples, which read back as lists) differs from `data`, and the
    # standard library encodes it (raising on NaN). Both steps run in C.
    if orjson.loads(encoded) != data:
        return _stdlib_json(data)
    return _yaml_embeddable(encoded)


def dump_yaml(data: Any) -> bytes:
    """Canonical YAML bytes for one document (see compiler.output.yaml_emitter)."""
    return emit(data).encode("utf-8")
