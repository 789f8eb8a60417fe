"""One serialisation style for every rendered file: stable bytes on any machine.

JSON: sorted keys, two-space indent, UTF-8, LF, final newline. YAML: libyaml's emitter,
block style, two-space indent with sequences flush under their key, keys in the order the
renderer built them (renderers choose a meaningful order), no anchors, no line wrapping,
LF, final newline. The C emitter is required, not preferred: the pure-Python one formats
some documents differently, and output must not depend on what happens to be installed.
Floats are written by Python's shortest round-trip repr, the same on every platform.
"""

from __future__ import annotations

import io
import json
from typing import Any


def dump_json(data: Any) -> bytes:
    """Canonical JSON bytes."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def dump_yaml(data: Any) -> bytes:
    """Canonical YAML bytes for one document, emitted by libyaml."""
    from _ruamel_yaml import CEmitter  # noqa: F401  (fails loudly without libyaml)
    from ruamel.yaml import YAML  # lazy: heavy import

    yaml = YAML(typ="safe", pure=False)
    yaml.default_flow_style = False
    yaml.width = 1 << 30
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.representer.ignore_aliases = lambda _data: True
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue().encode("utf-8")
