"""The exported model is built as plain data; it must be exactly what its pydantic shape dumps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.pipeline import load_estate
from compiler.policies.chunked import layout
from compiler.policies.export import ExportModel, export_environment
from tests.conftest import ROOT
from tests.policies.violating import write_estate


def _repos(tmp_path: Path) -> list[Path]:
    generated = tmp_path / "generated"
    write_estate(generated, 40)
    return [ROOT, generated]


def test_export_is_what_the_export_model_dumps(tmp_path: Path) -> None:
    checked = 0
    for repo in _repos(tmp_path):
        for model in load_estate(repo).resolved.environments.values():
            exported = export_environment(model)
            shaped = ExportModel.model_validate(exported).model_dump(mode="json")
            assert json.dumps(exported) == json.dumps(shaped)
            checked += len(exported["services"])
    assert checked > 80


@pytest.mark.parametrize("field", ["objective", "sampling"])
def test_a_whole_number_is_exported_as_the_float_the_schema_says(field: str) -> None:
    model = next(iter(load_estate(ROOT).resolved.environments.values()))
    service = model.services[0]
    if field == "sampling":
        changed = service.model_copy(update={"sampling": 1})
    else:
        slo = service.slos[0].model_copy(update={"objective": 99})
        changed = service.model_copy(update={"slos": (slo, *service.slos[1:])})
    exported = export_environment(model.model_copy(update={"services": (changed,)}))
    data = exported["services"][service.name]
    value = data["sampling"] if field == "sampling" else data["slos"][0]["objective"]
    assert json.dumps(value) == ("1.0" if field == "sampling" else "99.0")


def test_the_layout_pieces_join_to_the_whole_document(tmp_path: Path) -> None:
    """Chunks' positions are moved by the pieces' lengths: they must be json.dumps' text."""
    for repo in _repos(tmp_path):
        for model in load_estate(repo).resolved.environments.values():
            exported = export_environment(model)
            pieces = layout(exported)
            everything = range(len(pieces.names))
            assert pieces.text(everything) == json.dumps(exported)
            some = [i for i in everything if i % 3 == 1]
            subset = {
                **exported,
                "services": {pieces.names[i]: exported["services"][pieces.names[i]] for i in some},
            }
            assert pieces.text(some) == json.dumps(subset)
            text = pieces.text(some)
            for index, start in zip(some, pieces.starts(some), strict=True):
                assert text[start:].startswith(pieces.fragments[index])
            assert text[pieces.tail_start(some) :] == pieces.tail
