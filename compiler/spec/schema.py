"""The JSON Schema of spec documents, generated from the same models that validate them."""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "https://obsc.dev/schemas/obsc.schema.json"


def spec_json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) accepting any one obsc spec document."""
    from pydantic import TypeAdapter

    from compiler.spec.models import AnyDocument

    schema = TypeAdapter(AnyDocument).json_schema(by_alias=True, mode="validation")
    _list_targets(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "obsc spec document (apiVersion obsc.dev/v1)",
        **schema,
    }


def _list_targets(node: Any) -> None:
    """Give every target-name field the registry's names as its enum (models.TargetName)."""
    if isinstance(node, dict):
        if node.pop("x-obsc-targets", False):
            from compiler.render.registry import registry

            node.clear()
            node.update({"enum": list(registry()), "type": "string"})
            return
        for value in node.values():
            _list_targets(value)
    elif isinstance(node, list):
        for value in node:
            _list_targets(value)
