"""One serialisation style for every rendered file: stable bytes on any machine.

JSON: sorted keys, two-space indent, UTF-8, LF, final newline. YAML: block style, two-space
indent with sequences flush under their key, keys in the order the renderer built them
(renderers choose a meaningful order), no anchors, no line wrapping, LF, final newline,
written by obsc's own emitter (compiler.output.yaml_emitter) so that the bytes depend on
nothing installed. Floats are written by Python's shortest round-trip repr, the same on
every platform.
"""

from __future__ import annotations

import json
from typing import Any

from compiler.output.yaml_emitter import emit


def dump_json(data: Any) -> bytes:
    """Canonical JSON bytes."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def dump_yaml(data: Any) -> bytes:
    """Canonical YAML bytes for one document (see compiler.output.yaml_emitter)."""
    return emit(data).encode("utf-8")
