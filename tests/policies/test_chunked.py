"""The chunked, cached policy check reports exactly what one whole-environment `cue vet` does.

Estates with many violations (tests/policies/violating.py) are checked twice with the real
cue: as obsc does (per-service chunks, in parallel, cached) and whole (every environment in
one `cue vet`, as before issue 20). The violations, their spec lines, their order and the
waivers must be identical — also from the cache, and after one service changed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from compiler.errors import Diagnostic, PolicyError
from compiler.pipeline import load_estate
from compiler.policies import Waived, check_policies, chunked, policy_files
from compiler.policies.check import _setup
from compiler.policies.chunked import prepare, vet_environments
from compiler.policies.classify import Classification
from compiler.policies.cue import CueError, find_cue
from tests.conftest import ROOT
from tests.policies.violating import change_one, write_estate

DEFAULT_PACK = ROOT / "compiler" / "policies" / "default"
Outcome = tuple[list[Diagnostic], list[Waived]]


@pytest.fixture
def cue(real_tool: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    path = real_tool("cue")
    monkeypatch.setenv("OBSC_CUE", str(path))
    return path


@pytest.fixture
def vetted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many services each `cue vet` of a chunk was given, run by run."""
    sizes: list[int] = []
    real = chunked._collect

    def counting(setup: Any, chunk: Any, code: int, output: str) -> None:
        sizes.append(len(chunk.indices))
        real(setup, chunk, code, output)

    monkeypatch.setattr(chunked, "_collect", counting)
    yield sizes


def _estate(tmp_path: Path, services: int, seed: int = 7) -> Path:
    repo = tmp_path / "repo"
    write_estate(repo, services, seed)
    shutil.copytree(DEFAULT_PACK, repo / "policies")
    return repo


def _check(repo: Path, jobs: int = 2) -> Outcome:
    estate = load_estate(repo)
    try:
        report = check_policies(
            repo, estate.resolved, estate.service_documents, estate.project_document, jobs=jobs
        )
    except PolicyError as failure:
        return list(failure.diagnostics), []
    return [], report.waived


def _cue_errors(repo: Path, per_service: bool) -> dict[str, list[CueError]]:
    """What cue reported per environment, positions in the whole environment's data file."""
    estate = load_estate(repo)
    files = policy_files(repo)
    displays = [p.relative_to(repo).as_posix() for p in files]
    texts = [p.read_text() for p in files]
    prepared = prepare(estate.resolved.environments)
    scratch = repo.parent / "scratch"
    scratch.mkdir(exist_ok=True)
    cue = find_cue()
    assert cue is not None
    setup = _setup(cue, repo, displays, texts, scratch, 2)
    return vet_environments(
        replace(setup, context=f"{setup.context}{per_service}"), prepared, per_service
    )


def _whole(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    """The check with every policy file taken as whole-model: one cue vet per environment."""
    with monkeypatch.context() as patch:
        patch.setattr(
            "compiler.policies.check.classify", lambda text: Classification(False, "test: whole")
        )
        return _check(repo, jobs=1)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 11])
def test_chunks_report_what_the_whole_model_reports(
    tmp_path: Path, cue: Path, monkeypatch: pytest.MonkeyPatch, vetted: list[int], seed: int
) -> None:
    repo = _estate(tmp_path, 160, seed)
    monkeypatch.setattr(chunked, "CHUNK_SERVICES", 23)  # many chunks, none the same size
    whole = _whole(repo, monkeypatch)
    assert not vetted, "the whole-model check must not go through chunks"
    assert len(whole[0]) > 100, "the estate must break many rules"
    rules = {d.message.split(":", 1)[0].split("policy ", 1)[-1] for d in whole[0]}
    assert len(rules) >= 9, rules
    assert _check(repo) == whole
    assert len(vetted) >= 14 and sum(vetted) == 2 * 160
    # and below the diagnostics (which obsc sorts by spec line): cue's own errors, in its order
    assert _cue_errors(repo, per_service=True) == _cue_errors(repo, per_service=False)
    # from the cache: no cue run at all, the same outcome
    vetted.clear()
    assert _check(repo) == whole
    assert vetted == []


@pytest.mark.slow
def test_after_one_change_only_that_service_is_vetted_again(
    tmp_path: Path, cue: Path, monkeypatch: pytest.MonkeyPatch, vetted: list[int]
) -> None:
    repo = _estate(tmp_path, 120)
    _check(repo)
    vetted.clear()
    change_one(repo, 37)
    changed = _check(repo)
    assert vetted == [1, 1]  # that service, in each environment
    assert changed == _whole(repo, monkeypatch)


@pytest.mark.slow
def test_a_cross_service_policy_is_checked_on_the_whole_model(
    tmp_path: Path, cue: Path, monkeypatch: pytest.MonkeyPatch, vetted: list[int]
) -> None:
    repo = _estate(tmp_path, 60)
    (repo / "policies" / "few-tier1.cue").write_text(
        "package obsc\n\n// rule: few-tier1\n"
        "_tier1: [for name, s in services if s.tier == 1 {name}]\n"
        "services: [string]: S={\n\tif S.tier == 1 && len(_tier1) > 5 {tier: 2}\n}\n"
    )
    outcome = _check(repo)
    assert vetted == []
    assert any("policy few-tier1" in d.message for d in outcome[0])
    assert outcome == _whole(repo, monkeypatch)


@pytest.mark.slow
def test_an_error_outside_the_services_falls_back_to_the_whole_model(
    tmp_path: Path, cue: Path, monkeypatch: pytest.MonkeyPatch, vetted: list[int]
) -> None:
    repo = _estate(tmp_path, 60)
    (repo / "policies" / "long-retention.cue").write_text(
        "package obsc\n\n// rule: long-retention\nstack: prometheus: retention: periodDays: >=400\n"
    )
    outcome = _check(repo)
    assert vetted, "a per-service pack is vetted in chunks first"
    assert any("policy long-retention" in d.message for d in outcome[0])
    assert outcome == _whole(repo, monkeypatch)


@pytest.mark.slow
def test_a_policy_fault_is_reported_as_the_whole_model_reports_it(
    tmp_path: Path, cue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _estate(tmp_path, 30)
    (repo / "policies" / "typo.cue").write_text(
        "package obsc\n\n// rule: typo\nservices: [string]: samplingRate: <=0.5\n"
    )
    estate = load_estate(repo)
    with pytest.raises(Exception) as chunk_failure:
        check_policies(repo, estate.resolved, estate.service_documents, estate.project_document)
    with monkeypatch.context() as patch:
        patch.setattr("compiler.policies.check.classify", lambda text: Classification(False, "t"))
        with pytest.raises(Exception) as whole_failure:
            check_policies(repo, estate.resolved, estate.service_documents, estate.project_document)
    assert "OBSC400" in str(chunk_failure.value.diagnostics)  # type: ignore[attr-defined]
    assert chunk_failure.value.diagnostics == whole_failure.value.diagnostics  # type: ignore[attr-defined]
