"""Digests that name what a render's bytes depend on: same digest, same bytes.

- `compiler_fingerprint()`: obsc itself (its version and every source and data file of the
  compiler and the targets), so any change to obsc, released or not, is a new build;
- `render_key(...)`: one render (compiler, the estate's input digest, the environments and
  targets rendered, the `--set` overrides);
- `service_key(...)`: one service's files of a per-service target (environment, target, the
  target's per-environment context and the service's model).

Callers use this module's functions through the module (`fingerprint.compiler_fingerprint()`),
so a test that pretends to be another obsc patches one name.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.version import __version__

if TYPE_CHECKING:  # not at run time: an unchanged build never loads the models
    from compiler.model import ResolvedService

_SOURCE_SUFFIXES = (".py", ".yaml", ".cue", ".j2", ".json")


@functools.cache
def compiler_fingerprint() -> str:
    """A digest of the compiler's version and every source and data file it renders with."""
    import importlib.util

    roots = []
    for package in ("compiler", "targets"):  # found, not imported: only the CLI does
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations is not None
        roots.append(Path(next(iter(spec.submodule_search_locations))))
    return hashlib.sha256(f"{__version__}\0{tree_digest(roots)}".encode()).hexdigest()


def tree_digest(roots: Sequence[Path]) -> str:
    """A digest of the source and data files under `roots` (names and bytes)."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in _SOURCE_SUFFIXES and "__pycache__" not in path.parts:
                rel = path.relative_to(root.parent).as_posix()
                digest.update(f"{rel}\0{path.stat().st_size}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def render_key(
    input_digest: str,
    pairs: Sequence[tuple[str, str]],
    settings: Mapping[str, Mapping[str, str]],
) -> str:
    """The key of one render: same key, same bytes (renders are deterministic)."""
    material = json.dumps(
        {
            "compiler": compiler_fingerprint(),
            "inputs": input_digest,
            "pairs": sorted(pairs),
            "settings": {k: dict(sorted(v.items())) for k, v in sorted(settings.items())},
        },
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def context_digest(context: object) -> str:
    """A stable digest of a per-service context (plain JSON data)."""
    text = json.dumps(context, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def service_key(environment: str, target: str, context: str, model: str) -> str:
    """The key of one service's files: same key, same bytes (for one compiler).

    `model` is the digest of the service's model (`model_digest`).
    """
    material = f"{environment}\0{target}\0{context}\0{model}"
    return hashlib.sha256(material.encode()).hexdigest()


def model_digest(service: ResolvedService) -> str:
    """The digest of a service's resolved model."""
    return text_digest(service.model_dump_json())


def text_digest(model_json: str) -> str:
    """The digest of a model serialised by `model_dump_json` (what `model_digest` digests)."""
    return hashlib.sha256(model_json.encode()).hexdigest()


def path_key(path: Path) -> str:
    """The key of records kept per directory (a repository, a rendered tree)."""
    return hashlib.sha256(str(path.resolve()).encode()).hexdigest()
