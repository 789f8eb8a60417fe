"""Workloads in the model, and each way an Operator annotation fails to resolve (OBSC350-353)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.errors import SpecError
from compiler.model import Workload
from compiler.pipeline import load_estate
from tests.conftest import FIXTURES

ESTATE = FIXTURES / "instrumentation" / "estate"
SERVICES = Path("specs/services.yaml")
PROJECT = Path("specs/project.yaml")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "estate"
    shutil.copytree(ESTATE, root)
    return root


def _append(repo: Path, text: str) -> None:
    path = repo / SERVICES
    path.write_text(path.read_text() + text)


def _line_of(path: Path, needle: str, after: int = 0) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if i > after and needle in line)


def _one_error(repo: Path) -> tuple[str, str, int, int]:
    with pytest.raises(SpecError) as caught:
        load_estate(repo)
    [diagnostic] = caught.value.diagnostics
    location = diagnostic.location
    assert location.file.startswith("specs/")
    return diagnostic.code, diagnostic.message, location.line, location.column


def _service(name: str, framework: str, workload: str) -> str:
    return (
        f"---\napiVersion: obsc.dev/v1\nkind: Service\nmetadata:\n  name: {name}\n"
        f"  team: web\nspec:\n  framework: {framework}\n  kubernetes: {workload}\n"
    )


def test_a_workload_names_the_instrumentation_of_its_language_in_the_release_namespace(
    repo: Path,
) -> None:
    prod = load_estate(repo).resolved.environments["prod"]
    workloads = {s.name: s.workload for s in prod.services}
    assert workloads["shop"] == Workload(
        kind="Deployment",
        name="shop",
        namespace="web",
        container="shop",
        executable=None,
        annotation="instrumentation.opentelemetry.io/inject-python",
        instrumentation="telemetry/obs-stack-python",
    )
    mailer = workloads["mailer"]
    assert mailer is not None
    assert (mailer.kind, mailer.container) == ("CronJob", "send")
    assert mailer.instrumentation == "telemetry/obs-stack-nodejs"
    router = workloads["router"]
    assert router is not None and router.executable == "/usr/local/bin/router"
    assert router.annotation == "instrumentation.opentelemetry.io/inject-go"
    # A database's workload is known, but it gets no agent; a service without one has none.
    db = workloads["db"]
    assert db is not None and db.annotation is None and db.instrumentation is None
    assert workloads["ledger"] is None


def test_without_gitops_the_release_namespace_is_observability(repo: Path) -> None:
    project = repo / PROJECT
    text = project.read_text()
    project.write_text(text[: text.index("  gitops:")])
    prod = load_estate(repo).resolved.environments["prod"]
    shop = prod.service("shop")
    assert shop is not None and shop.workload is not None
    assert shop.workload.instrumentation == "observability/obs-stack-python"


def test_a_snapshot_names_the_workload_unless_the_service_does(repo: Path) -> None:
    snapshots = repo / "snapshots"
    snapshots.mkdir()
    for name in ("ledger", "shop"):
        (snapshots / f"{name}.yaml").write_text(
            "apiVersion: obsc.dev/v1\nkind: Snapshot\n"
            f"metadata:\n  name: {name}\nspec:\n  framework: spring-boot\n  confidence: 0.9\n"
            f"  kubernetes: {{kind: StatefulSet, name: {name}-detected, namespace: found}}\n"
        )
    prod = load_estate(repo).resolved.environments["prod"]
    ledger, shop = prod.service("ledger"), prod.service("shop")
    assert ledger is not None and ledger.workload is not None
    assert (ledger.workload.kind, ledger.workload.name) == ("StatefulSet", "ledger-detected")
    assert ledger.workload.instrumentation == "telemetry/obs-stack-java"
    assert shop is not None and shop.workload is not None
    assert (shop.workload.kind, shop.workload.name) == ("Deployment", "shop")


def test_inject_is_in_the_model(repo: Path) -> None:
    dev = load_estate(repo).resolved.environments["dev"]
    assert {s.name for s in dev.services if s.inject_agent} == {"ledger", "mailer", "shop"}


def test_obsc350_instrumentation_without_helm_names_no_rendered_instrumentation(
    repo: Path,
) -> None:
    project = repo / PROJECT
    project.write_text(
        project.read_text().replace(
            "[helm, collector, alerts, grafana, instrumentation]",
            "[collector, alerts, grafana, instrumentation]",
        )
    )
    code, message, line, column = _one_error(repo)
    assert code == "OBSC350"
    assert "'prod' renders `instrumentation` but not `helm`" in message
    assert line == _line_of(project, "instrumentation]")
    assert column > 1


def test_obsc351_a_language_the_operator_has_no_agent_for(repo: Path) -> None:
    _append(repo, _service("reviews", "rails", "{name: reviews, namespace: web}"))
    code, message, line, _ = _one_error(repo)
    assert code == "OBSC351"
    assert "'reviews' is ruby" in message and "Deployment/reviews" in message
    assert line == _line_of(repo / SERVICES, "kubernetes: {name: reviews")


def test_obsc351_is_reported_once_whatever_the_number_of_environments(repo: Path) -> None:
    project = repo / PROJECT
    project.write_text(
        project.read_text().replace(
            "[compose, collector, alerts, grafana]",
            "[helm, collector, alerts, grafana, instrumentation]",
        )
    )
    _append(repo, _service("reviews", "rails", "{name: reviews}"))
    assert _one_error(repo)[0] == "OBSC351"


def test_obsc352_one_workload_annotated_for_two_languages(repo: Path) -> None:
    _append(repo, _service("shop-worker", "express", "{name: shop, namespace: web}"))
    code, message, line, _ = _one_error(repo)
    assert code == "OBSC352"
    assert "'shop' and 'shop-worker' both run as Deployment web/shop" in message
    assert "annotated for two languages (javascript and python)" in message
    assert line == _line_of(repo / SERVICES, "kubernetes: {name: shop, namespace: web}")


def test_obsc352_one_workload_named_twice_for_one_language(repo: Path) -> None:
    _append(repo, _service("shop-admin", "django", "{name: shop, namespace: web}"))
    code, message, _, _ = _one_error(repo)
    assert code == "OBSC352"
    assert "annotated twice, with two service names" in message


def test_the_same_name_in_another_namespace_or_kind_is_another_workload(repo: Path) -> None:
    _append(repo, _service("shop-eu", "express", "{name: shop, namespace: web-eu}"))
    _append(repo, _service("shop-jobs", "express", "{kind: Job, name: shop, namespace: web}"))
    prod = load_estate(repo).resolved.environments["prod"]
    assert {s.name for s in prod.services if s.workload is not None} >= {"shop-eu", "shop-jobs"}


def test_obsc353_a_go_workload_without_its_executable(repo: Path) -> None:
    services = repo / SERVICES
    services.write_text(services.read_text().replace(", executable: /usr/local/bin/router", ""))
    code, message, line, _ = _one_error(repo)
    assert code == "OBSC353"
    assert "'router' is Go" in message and "otel-go-auto-target-exe" in message
    assert line == _line_of(services, "kubernetes: {kind: Deployment, name: router")


def test_environments_without_the_target_are_not_checked(repo: Path) -> None:
    project = repo / PROJECT
    project.write_text(project.read_text().replace(", instrumentation]", "]"))
    _append(repo, _service("reviews", "rails", "{name: reviews}"))
    load_estate(repo)  # no OBSC351: nothing is annotated


def test_a_database_beside_an_application_in_one_workload_is_not_a_conflict(
    repo: Path,
) -> None:
    # Only the application's workload is patched; the database gets no annotation.
    _append(repo, _service("shop-cache", "redis", "{name: shop, namespace: web}"))
    prod = load_estate(repo).resolved.environments["prod"]
    cache = prod.service("shop-cache")
    assert cache is not None and cache.workload is not None and cache.workload.annotation is None
