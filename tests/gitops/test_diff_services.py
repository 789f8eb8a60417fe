"""model.json compared by parsing only the services whose bytes differ, or by standing in
the runs the render copied from the file on disk, reads exactly as the two files parsed
whole."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.generate import generate
from compiler.gitops import diff as diff_module
from compiler.gitops.diff import compare_file
from compiler.gitops.diff_describe import ValueChange, describe
from compiler.gitops.diff_identity import normalise_pair, pair_renames, parse
from compiler.gitops.diff_services import normalise_copied_pair, normalise_services_pair
from compiler.output.canonical import dump_json
from compiler.output.manifest import file_digest
from compiler.output.sink import Copied
from tests.conftest import ObscRunner

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


def _pieces(content: bytes) -> dict[bytes, int]:
    """Each service item of a canonical model.json (as the model target splices it): offset."""
    opening = b'\n  "services": [\n'
    start = content.index(opening) + len(opening)
    items = content[start : content.index(b"\n    }\n  ]", start) + 6].split(b",\n    {\n")
    pieces: dict[bytes, int] = {}
    for index, item in enumerate(items):
        piece = item if index == 0 else b"    {\n" + item
        pieces[piece] = start
        start += len(piece) + 2  # ",\n"
    return pieces


def _copied(old: bytes, new: bytes) -> Copied:
    """The runs a render would have copied: every service byte-identical on both sides."""
    old_pieces = _pieces(old)
    runs = [
        (at, old_pieces[piece], len(piece))
        for piece, at in _pieces(new).items()
        if piece in old_pieces
    ]
    return Copied(file_digest(old), tuple(runs))


@pytest.mark.parametrize(
    "edit",
    [_objective, _removed, _added, _renamed, _first_and_last, _environment_wide, _nothing],
)
def test_runs_copied_from_the_file_on_disk_are_not_parsed_and_the_diff_reads_the_same(
    edit: Edit,
) -> None:
    old, new = _edited(edit)
    copied = _copied(old, new)
    assert copied.runs
    assert normalise_copied_pair(old, new, copied) is not None  # the runs were stood in
    assert compare_file(PATH, old, new, copied) == _whole(old, new)


def _shifted(copied: Copied) -> Copied:
    return Copied(copied.old, tuple((n + 1, o + 1, length) for n, o, length in copied.runs))


REFUSED: dict[str, Callable[[Copied], Copied]] = {
    "another old file": lambda copied: Copied("sha256:0", copied.runs),
    "overlapping runs": lambda copied: Copied(copied.old, (*copied.runs, copied.runs[0])),
    "a run past the end": lambda c: Copied(c.old, ((c.runs[0][0], c.runs[0][1], 10**9),)),
    "runs off the items": _shifted,
}


@pytest.mark.parametrize("refused", sorted(REFUSED))
def test_runs_that_do_not_fit_the_files_are_refused_and_the_diff_reads_the_same(
    refused: str,
) -> None:
    old, new = _edited(_objective)
    wrong = REFUSED[refused](_copied(old, new))
    assert normalise_copied_pair(old, new, wrong) is None
    assert compare_file(PATH, old, new, wrong) == _whole(old, new)


def test_a_diff_after_one_change_stands_in_what_the_render_copied(
    obsc: ObscRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The render hands the diff the runs it copied: all services but the changed one.

    (The Loki rules are spliced too; their runs are handed over, and compared whole.)
    """
    repo = tmp_path / "estate"
    generate(repo, services=12)
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    spec = sorted((repo / "specs" / "services").rglob("*.yaml"))[0]
    spec.write_text(spec.read_text().replace("svc-00000", "svc-renamed"))
    seen: list[tuple[str, int, bool]] = []

    def compare(path: str, old: bytes, new: bytes, copied: Copied | None = None) -> object:
        if copied is not None:
            stood_in = normalise_copied_pair(old, new, copied) is not None
            seen.append((path, len(copied.runs), stood_in))
            assert compare_file(path, old, new, copied) == compare_file(path, old, new)
        return compare_file(path, old, new, copied)

    monkeypatch.setattr(diff_module, "compare_file", compare)
    result = obsc("--repo", repo, "diff")
    assert result.code == 1, result.err
    assert "service svc-renamed" in result.out
    assert [entry for entry in sorted(seen) if entry[0].endswith(".json")] == [
        ("dev/model/model.json", 11, True),
        ("prod/model/model.json", 11, True),
    ]
