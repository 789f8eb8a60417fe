"""obsc: compile observability specs into deterministic collector, rule and dashboard files.

The public API is re-exported lazily so that `import compiler` (and so `obsc --help`)
stays cheap: pydantic and ruamel.yaml load only when a command needs them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_estate", "render", "validate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from compiler import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
