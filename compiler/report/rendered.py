"""The rendered files the report reads: alertmanager.yaml and the collector's config.yaml.

They are read as rendered (rendered/ on disk by default), not re-rendered: the report
shows what is committed, and says so when rendered/ was made from other specs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ALERTMANAGER = ("alerts", "alertmanager.yaml")
COLLECTOR = ("collector", "config.yaml")


@dataclass(frozen=True, slots=True)
class RenderedTree:
    """A rendered/ directory and what its manifest says it was made from."""

    root: Path
    input_digest: str | None

    def document(
        self, env: str, where: tuple[str, str], keys: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """The YAML mapping of `<env>/<target>/<file>`, only `keys` if given; None if unreadable."""
        path = self.root / env / where[0] / where[1]
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        return parse_mapping(top_level(raw, keys) if keys else raw)


def top_level(raw: bytes, keys: tuple[str, ...]) -> bytes:
    """Only the blocks of these top-level keys of a block-style YAML mapping.

    The collector's config of 1,000 services is 650 kB, mostly processors the report does
    not read; parsing only `service:` and `connectors:` takes a tenth of the time. obsc
    writes it block style with top-level keys at column 0, and a key's block is every line
    up to the next one (list items of a top-level key also start at column 0, with `-`).
    """
    wanted = {k.encode() for k in keys}
    kept: list[bytes] = []
    keep = False
    for line in raw.splitlines(keepends=True):
        if line[:1] not in (b" ", b"-", b"#", b"\n", b"\r", b""):
            keep = line.split(b":", 1)[0].strip(b"'\"") in wanted
        if keep:
            kept.append(line)
    return b"".join(kept)


def parse_mapping(raw: bytes) -> dict[str, Any] | None:
    """A YAML mapping, or None when the bytes are not one."""
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe").load(raw.decode("utf-8"))
    except Exception:
        return None
    return data if isinstance(data, dict) else None


def open_tree(root: Path) -> RenderedTree:
    """A rendered tree; its manifest's input digest when the manifest is readable."""
    try:
        manifest = json.loads((root / "manifest.json").read_bytes())
    except (OSError, ValueError):
        return RenderedTree(root, None)
    digest = manifest.get("inputDigest") if isinstance(manifest, dict) else None
    return RenderedTree(root, digest if isinstance(digest, str) else None)
