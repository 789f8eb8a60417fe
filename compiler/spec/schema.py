"""The JSON Schema of spec documents, generated from the same models that validate them."""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "https://obsc.dev/schemas/obsc.schema.json"


def spec_json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) accepting any one obsc spec document."""
    from pydantic import TypeAdapter

    from compiler.spec.models import AnyDocument

    schema = TypeAdapter(AnyDocument).json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "obsc spec document (apiVersion obsc.dev/v1)",
        **schema,
    }
