"""model.json compared by parsing only the services whose bytes differ reads exactly as the
two files parsed whole."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from compiler.gitops.diff import compare_file
from compiler.gitops.diff_describe import ValueChange, describe
from compiler.gitops.diff_identity import normalise_pair, pair_renames, parse
from compiler.gitops.diff_services import normalise_services_pair
from compiler.output.canonical import dump_json

MODEL = Path(__file__).parents[2] / "rendered" / "prod" / "model" / "model.json"
PATH = "prod/model/model.json"
Edit = Callable[[dict[str, Any]], None]


def _whole(old: bytes, new: bytes) -> list[ValueChange]:
    """The comparison of the two files parsed whole (as compare_file made it before)."""
    old_doc, new_doc = normalise_pair(parse(PATH, old), parse(PATH, new))
    return describe(old_doc, pair_renames(old_doc, new_doc))


def _objective(model: dict[str, Any]) -> None:
    model["services"][3]["slos"][0]["objective"] = 99.5


def _removed(model: dict[str, Any]) -> None:
    del model["services"][5]


def _added(model: dict[str, Any]) -> None:
    service = copy.deepcopy(model["services"][0])
    service["name"] = "zz-added"
    model["services"].append(service)


def _renamed(model: dict[str, Any]) -> None:
    model["services"][2]["name"] = "renamed"


def _first_and_last(model: dict[str, Any]) -> None:
    model["services"][0]["tier"] = 1
    model["services"][-1]["tier"] = 1


def _environment_wide(model: dict[str, Any]) -> None:
    model["project"] = "another"


def _nothing(_model: dict[str, Any]) -> None:
    pass


def _edited(edit: Edit) -> tuple[bytes, bytes]:
    old = MODEL.read_bytes()
    model = json.loads(old)
    edit(model)
    return old, dump_json(model)


@pytest.mark.parametrize(
    "edit",
    [_objective, _removed, _added, _renamed, _first_and_last, _environment_wide, _nothing],
)
def test_only_differing_services_are_parsed_and_the_diff_reads_the_same(edit: Edit) -> None:
    old, new = _edited(edit)
    assert normalise_services_pair(old, new) is not None  # the services were split
    changes = compare_file(PATH, old, new)
    assert changes == _whole(old, new)
    assert bool(changes) == (old != new)


def test_a_file_edited_by_hand_is_parsed_whole() -> None:
    old, new = _edited(_objective)
    by_hand = json.dumps(json.loads(old)).encode()  # the same model on one line
    assert normalise_services_pair(by_hand, new) is None
    assert compare_file(PATH, by_hand, new) == _whole(by_hand, new)


def test_a_service_named_as_another_still_reads_the_same() -> None:
    def twins(model: dict[str, Any]) -> None:
        model["services"][1]["name"] = model["services"][0]["name"]
        model["services"][4]["tier"] = 1

    old, new = _edited(twins)
    assert normalise_services_pair(old, new) is not None
    assert compare_file(PATH, old, new) == _whole(old, new)


def test_an_unchanged_service_labelled_otherwise_is_parsed_whole() -> None:
    model = json.loads(MODEL.read_bytes())
    model["services"][1]["name"] = model["services"][0]["name"]  # labels `x` and `x #2`
    old = dump_json(model)
    del model["services"][0]  # the second, unchanged, is now labelled `x`
    new = dump_json(model)
    assert normalise_services_pair(old, new) is None  # its stand-in was left unpruned
    changes = compare_file(PATH, old, new)
    assert changes == _whole(old, new) and changes
