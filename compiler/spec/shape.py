"""Walk the spec models' field structure, to say which keys are allowed at a path."""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from compiler.spec.loader import PathKey


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Optional, unions and Annotated peeled)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        found: list[Any] = []
        for arg in get_args(annotation):
            found.extend(_unwrap(arg))
        return found
    return [annotation]


def _aliases(model: type[BaseModel]) -> dict[str, Any]:
    return {(info.alias or name): info.annotation for name, info in model.model_fields.items()}


def _models_at(model: type[BaseModel], path: PathKey) -> list[type[BaseModel]]:
    current: list[Any] = [model]
    for part in path:
        following: list[Any] = []
        for candidate in current:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                annotation = _aliases(candidate).get(str(part))
                if annotation is not None:
                    following.extend(_unwrap(annotation))
            elif get_origin(candidate) in (list, tuple) and isinstance(part, int):
                following.extend(_unwrap(get_args(candidate)[0]))
            elif get_origin(candidate) is dict:
                following.extend(_unwrap(get_args(candidate)[1]))
        current = following
    return [c for c in current if isinstance(c, type) and issubclass(c, BaseModel)]


def allowed_keys(model: type[BaseModel], path: PathKey) -> list[str]:
    """The YAML keys accepted by the mapping at `path` of a `model` document."""
    keys: set[str] = set()
    for found in _models_at(model, path):
        keys.update(_aliases(found))
    return sorted(keys)
