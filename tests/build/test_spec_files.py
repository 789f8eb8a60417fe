"""Spec files recalled by their bytes (compiler.build.spec_files): an unchanged file is not
parsed again, any change to it or to the compiler is, a file with a diagnostic is never
recorded, a record obsc did not write is ignored with a warning, and the render is the same
bytes as a cold one."""

from __future__ import annotations

import json
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler import pipeline
from compiler.build import fingerprint, spec_files
from compiler.errors import SpecError
from compiler.pipeline import Estate, load_estate
from compiler.spec import loader
from tests.build.test_cache import _Payload
from tests.conftest import ObscRunner, tree_bytes
from tests.resolve.test_precedence import SNAPSHOT

SERVICE = "specs/services/api.yaml"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The display names of the files the loader parses (not recalled) from now on."""
    seen: list[str] = []
    load_bytes = loader.load_bytes

    def counting(raw: bytes, display: str, sink: object) -> object:
        seen.append(display)
        return load_bytes(raw, display, sink)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "load_bytes", counting)
    return seen


def _provenance(estate: Estate) -> dict[str, list[str]]:
    """Every resolved value's chain as `layer@file:line:column` (positions matter)."""
    return {
        f"{service}/{env}/{key}": [f"{c.layer}@{c.location}" for c in chain]
        for (service, env), provenance in sorted(estate.resolved.provenance.items())
        for key, chain in sorted(provenance.chains.items())
    }


def _models(estate: Estate) -> dict[str, str]:
    return {name: env.model_dump_json() for name, env in estate.resolved.environments.items()}


def test_unchanged_files_are_recalled_with_every_position(
    minimal_repo: Path, parsed: list[str]
) -> None:
    (minimal_repo / "snapshots").mkdir()
    (minimal_repo / "snapshots" / "api.yaml").write_text(SNAPSHOT)
    cold = load_estate(minimal_repo)
    assert sorted(parsed) == ["snapshots/api.yaml", "specs/project.yaml", SERVICE]
    parsed.clear()
    warm = load_estate(minimal_repo)
    assert parsed == []
    assert warm.cache_warnings == ()
    assert _models(warm) == _models(cold)
    assert _provenance(warm) == _provenance(cold)
    assert warm.service_documents["api"].positions == cold.service_documents["api"].positions
    assert warm.documents == cold.documents


def test_an_edited_file_alone_is_parsed_again(minimal_repo: Path, parsed: list[str]) -> None:
    load_estate(minimal_repo)
    parsed.clear()
    service = minimal_repo / SERVICE
    service.write_text(service.read_text().replace("objective: 99.9", "objective: 99.5"))
    estate = load_estate(minimal_repo)
    assert parsed == [SERVICE]
    slo = estate.resolved.environments["dev"].services[0].slos[0]
    assert slo.objective == 99.5


def test_a_changed_snapshot_changes_the_resolved_model(
    minimal_repo: Path, parsed: list[str]
) -> None:
    (minimal_repo / "specs" / "services" / "api.yaml").write_text(
        (minimal_repo / SERVICE).read_text().replace("  framework: flask\n", "")
    )
    (minimal_repo / "snapshots").mkdir()
    snapshot = minimal_repo / "snapshots" / "api.yaml"
    snapshot.write_text(SNAPSHOT)
    assert load_estate(minimal_repo).resolved.environments["dev"].services[0].framework == "django"
    parsed.clear()
    snapshot.write_text(SNAPSHOT.replace("django", "flask"))
    estate = load_estate(minimal_repo)
    assert parsed == ["snapshots/api.yaml"]
    assert estate.resolved.environments["dev"].services[0].framework == "flask"


def test_another_compiler_parses_everything_again(
    minimal_repo: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_estate(minimal_repo)
    parsed.clear()
    monkeypatch.setattr(fingerprint, "compiler_fingerprint", lambda: "another obsc")
    load_estate(minimal_repo)
    assert sorted(parsed) == ["specs/project.yaml", SERVICE]


def _messages(repo: Path) -> list[str]:
    with pytest.raises(SpecError) as raised:
        load_estate(repo)
    return [d.render() for d in raised.value.diagnostics]


def test_a_file_with_a_diagnostic_is_never_recorded(minimal_repo: Path, parsed: list[str]) -> None:
    service = minimal_repo / SERVICE
    service.write_text(service.read_text().replace("objective: 99.9", "objective: 100.5"))
    first = _messages(minimal_repo)
    assert any(f"{SERVICE}:17:18: error[OBSC103]" in m for m in first), first
    assert not spec_files.record_file(service.read_bytes()).exists()
    assert spec_files.record_file((minimal_repo / "specs/project.yaml").read_bytes()).exists()
    parsed.clear()
    assert _messages(minimal_repo) == first
    assert parsed == [SERVICE]


def _record(repo: Path) -> Path:
    return spec_files.record_file((repo / SERVICE).read_bytes())


def _forge(change: Callable[[list[dict[str, object]]], object]) -> Callable[[Path], object]:
    def forge(path: Path) -> None:
        record = json.loads(path.read_text())
        record["value"] = change(record["value"])
        path.write_text(json.dumps(record))

    return forge


def _objective(documents: list[dict[str, object]]) -> object:
    text = json.dumps(documents).replace('"objective": 99.9', '"objective": 100.5')
    assert "100.5" in text
    return json.loads(text)


FORGERIES: dict[str, Callable[[Path], object]] = {
    "not JSON": lambda path: path.write_bytes(b"\x80 not a record"),
    "a pickle": lambda path: path.write_bytes(pickle.dumps(_Payload(path.with_name("ran")))),
    "not a list": _forge(lambda documents: {"documents": documents}),
    "data that does not validate": _forge(_objective),
    "a document of another kind": _forge(
        lambda documents: [{**d, "data": {**d["data"], "kind": "Pipeline"}} for d in documents]  # type: ignore[dict-item]
    ),
    "a position too few": _forge(
        lambda documents: [{**d, "positions": d["positions"][:-1]} for d in documents]  # type: ignore[index]
    ),
    "a position not a number": _forge(
        lambda documents: [{**d, "positions": ["1", *d["positions"][1:]]} for d in documents]  # type: ignore[index]
    ),
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_record_obsc_did_not_write_is_ignored_with_a_warning(
    minimal_repo: Path, parsed: list[str], forgery: str
) -> None:
    cold = load_estate(minimal_repo)
    record = _record(minimal_repo)
    FORGERIES[forgery](record)
    parsed.clear()
    estate = load_estate(minimal_repo)
    assert parsed == [SERVICE]
    assert not record.with_name("ran").exists()
    assert [w.code for w in estate.cache_warnings] == ["OBSC020"]
    assert SERVICE in estate.cache_warnings[0].message
    assert _models(estate) == _models(cold) and _provenance(estate) == _provenance(cold)
    assert estate.warnings == cold.warnings  # the warning is not the inputs': not recorded
    parsed.clear()
    assert load_estate(minimal_repo).cache_warnings == ()  # rewritten by the parse
    assert parsed == []


def test_the_cli_shows_an_ignored_record(obsc: ObscRunner, minimal_repo: Path) -> None:
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    FORGERIES["not JSON"](_record(minimal_repo))
    project = minimal_repo / "specs/project.yaml"
    project.write_text(project.read_text().replace("sampling: 0.1", "sampling: 0.2"))
    run = obsc("--repo", minimal_repo, "render", "--no-policies")
    assert run.code == 0, run.err
    assert "warning[OBSC020]" in run.err and SERVICE in run.err


def test_validate_shows_an_ignored_record_and_strict_does_not_count_it(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    intact = obsc("--repo", minimal_repo, "validate", "--no-policies", "--strict")
    assert "OBSC020" not in intact.err
    FORGERIES["not JSON"](_record(minimal_repo))
    run = obsc("--repo", minimal_repo, "validate", "--no-policies")
    assert run.code == 0, run.err
    assert "warning[OBSC020]" in run.err and SERVICE in run.err
    FORGERIES["not JSON"](_record(minimal_repo))
    run = obsc("--repo", minimal_repo, "validate", "--no-policies", "--strict")
    # the cache is not the specs: --strict counts the same warnings as before
    assert run.code == intact.code
    assert run.err.splitlines()[-1] == intact.err.splitlines()[-1]


def test_a_warm_render_after_one_change_is_a_cold_one(
    obsc: ObscRunner, example_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert obsc("--repo", example_repo, "render", "--no-policies").code == 0
    service = sorted((example_repo / "specs" / "services").rglob("*.yaml"))[0]
    text = service.read_text()
    service.write_text(text.replace("objective: 99.9", "objective: 99.8", 1))
    assert service.read_text() != text
    cold = tmp_path / "cold"
    shutil.copytree(example_repo, cold)
    warm = obsc("--repo", example_repo, "render", "--no-policies")
    assert warm.code == 0, warm.err
    monkeypatch.setenv("OBSC_CACHE_DIR", str(tmp_path / "empty-cache"))
    assert obsc("--repo", cold, "render", "--no-policies").code == 0
    assert tree_bytes(example_repo / "rendered") == tree_bytes(cold / "rendered")


JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(JSON_DATA)
def test_the_values_counted_are_the_paths_of_the_position_table(data: object) -> None:
    """The record check counts without walking: the same number as the table's paths."""
    assert spec_files._values(data) == len(list(spec_files.walk(data)))
