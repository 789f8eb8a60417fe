"""One serialisation style for every rendered file: stable bytes on any machine.

JSON: sorted keys, two-space indent, UTF-8, LF, final newline. YAML: block style, two-space
indent, keys in the order the renderer built them (renderers choose a meaningful order),
no anchors, no line wrapping, LF, final newline. Floats are written by Python's shortest
round-trip repr, which is the same on every platform.
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
    """Canonical YAML bytes for one document (libyaml's emitter when available)."""
    from ruamel.yaml import YAML  # lazy: heavy import

    yaml = YAML(typ="safe", pure=False)
    yaml.default_flow_style = False
    yaml.width = 1 << 30
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.representer.ignore_aliases = lambda _data: True
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue().encode("utf-8")
