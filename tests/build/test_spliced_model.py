"""model.json is spliced from per-service pieces: after an edit, only changed services are
serialised again, and the file has the bytes of the whole model serialised at once."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.generate import generate
from compiler.model import EnvironmentModel, ResolvedService
from compiler.output.canonical import dump_json
from compiler.render.contract import Spliced
from targets import TARGETS
from tests.conftest import ObscRunner

ENVIRONMENTS = 2  # bench.generate's estate: every service runs in dev and prod


@pytest.fixture
def pieces(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The services whose piece of model.json is serialised, by name."""
    monkeypatch.setenv("OBSC_JOBS", "1")  # in this process, where the counting happens
    calls: list[str] = []
    target = TARGETS["model"]
    spliced = target.spliced
    assert spliced is not None

    def counting(context: object, service: ResolvedService, *, _real: Spliced = spliced) -> bytes:
        calls.append(service.name)
        return _real.piece(context, service)

    replaced = dataclasses.replace(spliced, piece=counting)
    monkeypatch.setitem(
        TARGETS, "model", dataclasses.replace(target, render=replaced.render, spliced=replaced)
    )
    yield calls


def _change_objective(spec: Path) -> set[str]:
    text = spec.read_text()
    spec.write_text(re.sub(r"objective: 99\.9\n", "objective: 99.5\n", text, count=1))
    return {"svc-00000"}


def _remove_service(spec: Path) -> set[str]:
    documents = spec.read_text().split("---\n")
    assert "name: svc-00001\n" in documents[1]
    spec.write_text("---\n".join(documents[:1] + documents[2:]))
    return set()


def _add_service(spec: Path) -> set[str]:
    first = spec.read_text().split("---\n")[0].replace("svc-00000", "svc-added")
    spec.write_text(spec.read_text() + "---\n" + first)
    return {"svc-added"}


def _rename_service(spec: Path) -> set[str]:
    spec.write_text(spec.read_text().replace("svc-00001", "svc-renamed"))
    return {"svc-renamed"}


def _nothing(_spec: Path) -> set[str]:
    return set()


def _estate(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "estate"
    generate(repo, services=12)
    return repo, next(iter(sorted((repo / "specs" / "services").rglob("*.yaml"))))


def _models(root: Path) -> dict[str, bytes]:
    return {p.parent.parent.name: p.read_bytes() for p in sorted(root.glob("*/model/model.json"))}


def _assert_whole_model_bytes(root: Path) -> None:
    """Each model.json is its model serialised at once (as before it was spliced)."""
    models = _models(root)
    assert len(models) == ENVIRONMENTS
    for raw in models.values():
        model = EnvironmentModel.model_validate_json(raw)
        assert dump_json(model.model_dump(mode="json")) == raw


@pytest.mark.parametrize(
    "edit", [_change_objective, _remove_service, _add_service, _rename_service, _nothing]
)
def test_only_changed_services_are_serialised_again(
    obsc: ObscRunner, tmp_path: Path, pieces: list[str], edit: Callable[[Path], set[str]]
) -> None:
    repo, spec = _estate(tmp_path)
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    assert len(pieces) == 12 * ENVIRONMENTS
    pieces.clear()
    changed = edit(spec)
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    assert Counter(pieces) == {name: ENVIRONMENTS for name in changed}
    _assert_whole_model_bytes(repo / "rendered")
    pieces.clear()
    fresh = tmp_path / "fresh"
    assert obsc("--repo", repo, "render", "--no-policies", "--out", fresh).code == 0
    models = [EnvironmentModel.model_validate_json(raw) for raw in _models(fresh).values()]
    assert len(pieces) == sum(len(model.services) for model in models)  # no record: every one
    assert _models(fresh) == _models(repo / "rendered")


def test_a_hand_edited_model_is_serialised_again(
    obsc: ObscRunner, tmp_path: Path, pieces: list[str]
) -> None:
    repo, spec = _estate(tmp_path)
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    model = repo / "rendered" / "prod" / "model" / "model.json"
    model.write_bytes(model.read_bytes().replace(b'"svc-00003"', b'"svc-0000X"', 1))
    _change_objective(spec)
    pieces.clear()
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    # prod's file changed on disk: every service of it again; dev's: the changed one
    assert len(pieces) == 12 + 1 and Counter(pieces)["svc-00000"] == ENVIRONMENTS
    _assert_whole_model_bytes(repo / "rendered")


def test_pieces_are_found_again_after_a_diff_that_wrote_nothing(
    obsc: ObscRunner, tmp_path: Path, pieces: list[str]
) -> None:
    repo, spec = _estate(tmp_path)
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    changed = _change_objective(spec)
    for command in (["diff"], ["diff"], ["render", "--check", "--no-policies"]):
        pieces.clear()
        assert obsc("--repo", repo, *command).code == 1
        assert Counter(pieces) == {name: ENVIRONMENTS for name in changed}, command
    pieces.clear()
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    assert Counter(pieces) == {name: ENVIRONMENTS for name in changed}
    _assert_whole_model_bytes(repo / "rendered")
