"""rendered/manifest.json: what was rendered, from which inputs, by which compiler.

The render version is an integer that grows by one exactly when the set of rendered files
or their bytes change, so it can name a deployable state ("render v42") in commits, Helm
chart versions and rollbacks. The manifest holds no timestamps.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.output.canonical import dump_json

MANIFEST_NAME = "manifest.json"
MANIFEST_SCHEMA_VERSION = 1


def file_digest(content: bytes) -> str:
    """The digest recorded for one rendered file."""
    return "sha256:" + hashlib.sha256(content).hexdigest()


@dataclass(frozen=True, slots=True)
class Manifest:
    """The parsed content of rendered/manifest.json."""

    compiler_version: str
    render_version: int
    input_digest: str
    environments: dict[str, list[str]]
    files: dict[str, str]

    def to_bytes(self) -> bytes:
        """Canonical JSON."""
        return dump_json(
            {
                "schemaVersion": MANIFEST_SCHEMA_VERSION,
                "compilerVersion": self.compiler_version,
                "renderVersion": self.render_version,
                "inputDigest": self.input_digest,
                "environments": self.environments,
                "files": self.files,
            }
        )

    @classmethod
    def parse(cls, raw: bytes) -> Manifest | None:
        """Read a manifest; None when it is missing fields or not JSON (then treated as v0)."""
        try:
            data: Any = json.loads(raw)
            return cls(
                compiler_version=str(data["compilerVersion"]),
                render_version=int(data["renderVersion"]),
                input_digest=str(data["inputDigest"]),
                environments={k: list(v) for k, v in data["environments"].items()},
                files={str(k): str(v) for k, v in data["files"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def next_manifest(
    previous: Manifest | None,
    digests: Mapping[str, str],
    compiler_version: str,
    input_digest: str,
    environments: dict[str, list[str]],
) -> Manifest:
    """The manifest for files with `digests` (see `file_digest`).

    The render version moves only if the output changed.
    """
    files = dict(sorted(digests.items()))
    version = previous.render_version if previous is not None else 0
    if previous is None or previous.files != files:
        version += 1
    return Manifest(compiler_version, version, input_digest, environments, files)
