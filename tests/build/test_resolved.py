"""Services recalled as resolved before (compiler.build.resolved): a warm load gives the cold
load's models, provenance and diagnostics; a change to a service's file or snapshot resolves
that file's services again, a change to the Project every service; a file whose services
reported a diagnostic is never recorded; a record obsc did not write is ignored with a
warning; the render is the same bytes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import compiler.resolve as resolve_package
import compiler.resolve.service as service_module
from compiler.build import fingerprint, store
from compiler.build import resolved as resolved_records
from compiler.errors import SpecError
from compiler.pipeline import Estate, load_estate
from tests.build.test_spec_files import _models, _provenance
from tests.conftest import ObscRunner, tree_bytes
from tests.resolve.test_precedence import SNAPSHOT

CHECKOUT = "specs/services/payments/checkout.yaml"


@pytest.fixture
def resolved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the services resolved (not recalled) from now on, once per environment."""
    seen: list[str] = []
    build_service = service_module.build_service

    def counting(parsed: object, *args: object) -> object:
        seen.append(parsed.model.metadata.name)  # type: ignore[attr-defined]
        return build_service(parsed, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(resolve_package, "build_service", counting)
    return seen


def _same(warm: Estate, cold: Estate) -> None:
    assert warm.resolved.environments == cold.resolved.environments
    assert _models(warm) == _models(cold)
    assert list(warm.resolved.provenance) == list(cold.resolved.provenance)  # same order
    assert _provenance(warm) == _provenance(cold)
    assert warm.warnings == cold.warnings


def _records() -> list[Path]:
    return sorted((store.cache_dir() / resolved_records.NAMESPACE).rglob("*.json"))


def test_a_warm_load_recalls_every_service_as_the_cold_load_resolved_it(
    example_repo: Path, resolved: list[str]
) -> None:
    cold = load_estate(example_repo)
    assert len(resolved) == sum(len(e.services) for e in cold.resolved.environments.values())
    # a record per file and environment, with switched-off services (backoffice in dev) too
    files = {document.file for document in cold.service_documents.values()}
    assert len(_records()) == 2 * len(files) < 2 * len(cold.service_documents)
    resolved.clear()
    warm = load_estate(example_repo)
    assert resolved == []
    assert warm.cache_warnings == ()
    _same(warm, cold)


def _resolved_after(repo: Path, resolved: list[str], change: Callable[[], object]) -> list[str]:
    """The services a warm load resolves after `change`; it equals a cold load of the same."""
    load_estate(repo)
    change()
    resolved.clear()
    warm = load_estate(repo)
    again = sorted(resolved)
    shutil.rmtree(store.cache_dir())
    _same(warm, load_estate(repo))
    return again


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_changed_file_resolves_its_services_again_and_no_other(
    example_repo: Path, resolved: list[str]
) -> None:
    service = example_repo / CHECKOUT
    again = _resolved_after(example_repo, resolved, lambda: _edit(service, "99.9", "99.8"))
    assert again == ["checkout", "checkout"]  # dev and prod


def test_a_changed_project_resolves_every_service_again(
    example_repo: Path, resolved: list[str]
) -> None:
    project = example_repo / "specs/project.yaml"
    again = _resolved_after(example_repo, resolved, lambda: _edit(project, "0.1", "0.2"))
    cold = load_estate(example_repo)
    assert len(again) == sum(len(e.services) for e in cold.resolved.environments.values())


def test_a_changed_snapshot_resolves_its_service_again(
    example_repo: Path, resolved: list[str]
) -> None:
    snapshot = example_repo / "snapshots" / "checkout.yaml"
    snapshot.parent.mkdir(exist_ok=True)
    snapshot.write_text(SNAPSHOT.replace("name: api", "name: checkout"))
    again = _resolved_after(example_repo, resolved, lambda: _edit(snapshot, "0.9", "0.8"))
    assert again == ["checkout", "checkout"]


def test_an_environment_rendered_alone_records_only_its_services(
    example_repo: Path, resolved: list[str]
) -> None:
    cold = load_estate(example_repo)
    shutil.rmtree(store.cache_dir())
    resolved.clear()
    only_prod = load_estate(example_repo, ["prod"])
    assert only_prod.resolved.environments["prod"] == cold.resolved.environments["prod"]
    resolved.clear()
    warm = load_estate(example_repo)
    assert len(resolved) == len(cold.resolved.environments["dev"].services)  # dev's only
    _same(warm, cold)


def test_a_file_whose_service_reported_a_diagnostic_is_never_recorded(
    example_repo: Path, resolved: list[str]
) -> None:
    """A threshold that is no histogram bucket is found while the service is resolved."""
    service = example_repo / CHECKOUT
    good = service.read_text()
    service.write_text(good.replace("threshold: 250ms", "threshold: 333ms", 1))
    with pytest.raises(SpecError) as failed:
        load_estate(example_repo)
    assert CHECKOUT in str(failed.value.diagnostics[0].location)
    assert not any('"name":"checkout"' in r.read_text() for r in _records())
    resolved.clear()
    with pytest.raises(SpecError) as again:
        load_estate(example_repo)
    assert "checkout" in resolved  # resolved, and reported, again
    assert again.value.diagnostics == failed.value.diagnostics
    service.write_text(good)
    load_estate(example_repo)
    assert any('"name":"checkout"' in r.read_text() for r in _records())


FORGERIES: dict[str, Callable[[Path], object]] = {
    "not JSON": lambda record: record.write_bytes(b"\x80 not a record"),
    "a service that does not validate": lambda record: _forge_models(
        record, lambda text: text.replace('"objective":99.9', '"objective":"high"')
    ),
    "a model that is not JSON": lambda record: _forge_models(record, lambda text: text[:-1]),
    "another service's name": lambda record: _forge_models(
        record, lambda text: text.replace('"name":"checkout"', '"name":"orders"', 1)
    ),
    "services missing": lambda record: _forge(
        record, lambda text: json.dumps({**json.loads(text), "value": []})
    ),
}


def _forge_models(record: Path, change: Callable[[str], str]) -> None:
    """Change the model text of each service of the record (as `save` wrote it)."""

    def changed(item: dict[str, object]) -> dict[str, object]:
        text = item.get("model")
        return {**item, "model": change(text)} if isinstance(text, str) else item

    _forge(
        record,
        lambda text: json.dumps(
            {**(data := json.loads(text)), "value": [changed(i) for i in data["value"]]}
        ),
    )


def _forge(record: Path, change: Callable[[str], str]) -> None:
    text = record.read_text()
    changed = change(text)
    assert changed != text
    record.write_text(changed)


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_record_obsc_did_not_write_is_ignored_with_a_warning(
    example_repo: Path, resolved: list[str], forgery: str
) -> None:
    cold = load_estate(example_repo)
    checkout = [r for r in _records() if '"name":"checkout"' in r.read_text(errors="replace")]
    assert len(checkout) == 2
    FORGERIES[forgery](checkout[0])
    resolved.clear()
    warm = load_estate(example_repo)
    assert resolved == ["checkout"]
    assert [w.code for w in warm.cache_warnings] == ["OBSC020"]
    assert CHECKOUT in warm.cache_warnings[0].message
    _same(warm, cold)
    resolved.clear()
    assert load_estate(example_repo).cache_warnings == ()  # rewritten
    assert resolved == []


def test_explain_of_a_recalled_service_is_the_cold_explanation(
    obsc: ObscRunner, example_repo: Path
) -> None:
    cold = obsc("--repo", example_repo, "explain", "checkout", "--env", "prod")
    assert cold.code == 0, cold.err
    warm = obsc("--repo", example_repo, "explain", "checkout", "--env", "prod")
    assert warm.out == cold.out


def test_a_warm_render_writes_the_cold_bytes(
    obsc: ObscRunner, example_repo: Path, tmp_path: Path, resolved: list[str]
) -> None:
    assert obsc("--repo", example_repo, "render", "--no-policies").code == 0
    service = example_repo / CHECKOUT
    service.write_text(service.read_text().replace("objective: 99.9", "objective: 99.8", 1))
    resolved.clear()
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    assert obsc("--repo", example_repo, "render", "--no-policies", "--out", warm).code == 0
    assert sorted(resolved) == ["checkout", "checkout"]
    shutil.rmtree(store.cache_dir())
    assert obsc("--repo", example_repo, "render", "--no-policies", "--out", cold).code == 0
    assert tree_bytes(warm) == tree_bytes(cold)


def test_every_services_digest_is_known_from_its_record(example_repo: Path) -> None:
    """The render keys services by these digests: each must be the model's own."""
    cold = load_estate(example_repo)  # resolved: digested while recorded
    warm = load_estate(example_repo)  # recalled: digested from the recorded text
    for estate in (cold, warm):
        services = [s for env in estate.resolved.environments.values() for s in env.services]
        assert services
        for service in services:
            assert estate.model_digests[id(service)] == (
                service,
                fingerprint.model_digest(service),
            )
