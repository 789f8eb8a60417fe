"""Environments rendered in parallel processes give exactly the sequential bytes."""

from __future__ import annotations

import os
import signal

import pytest

import compiler.pipeline as pipeline
from bench.generate import generate
from compiler.errors import RenderError
from compiler.model import EnvironmentModel, ResolvedEstate
from compiler.pipeline import configured_renderers, load_estate, render_files, select_pairs
from compiler.render import engine
from compiler.render.runner import job_count, parallel_map
from targets import TARGETS


@pytest.fixture(scope="module")
def generated_estate(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Estate:
    repo = tmp_path_factory.mktemp("generated")
    generate(repo, services=40)
    return load_estate(repo)


@pytest.fixture
def large_estate(
    generated_estate: pipeline.Estate, monkeypatch: pytest.MonkeyPatch
) -> pipeline.Estate:
    """The generated estate, counted as large enough to render in parallel."""
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 20)
    return generated_estate


def _jobs(resolved: ResolvedEstate) -> int:
    size = sum(len(env.services) for env in resolved.environments.values())
    return job_count(size, engine.PARALLEL_THRESHOLD)


def test_parallel_render_is_byte_identical(
    large_estate: pipeline.Estate, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved = large_estate.resolved
    pairs = select_pairs(large_estate.environment_targets, (), ())
    if _jobs(resolved) < 2:
        pytest.skip("one CPU: nothing runs in parallel")
    parallel = render_files(resolved, pairs)
    monkeypatch.setenv("OBSC_JOBS", "1")
    assert _jobs(resolved) == 1
    sequential = render_files(resolved, pairs)
    assert list(parallel) == list(sequential)
    assert parallel == sequential


def test_a_renderer_failing_in_a_worker_is_reported(large_estate: pipeline.Estate) -> None:
    resolved = large_estate.resolved
    renderers = dict(configured_renderers({}))

    def broken(model: EnvironmentModel) -> dict[str, bytes]:
        if model.environment == "prod":
            raise KeyError("boom")
        return {}

    renderers["grafana"] = broken
    if _jobs(resolved) < 2:
        pytest.skip("one CPU: nothing runs in parallel")
    with pytest.raises(RenderError, match="target 'grafana' failed for environment 'prod'"):
        render_files(resolved, select_pairs(large_estate.environment_targets, (), ()), renderers)


def test_small_estates_render_in_process(generated_estate: pipeline.Estate) -> None:
    resolved = generated_estate.resolved
    assert _jobs(resolved) == 1


def test_progress_is_reported_once_per_unit(
    large_estate: pipeline.Estate, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved = large_estate.resolved
    pairs = select_pairs(large_estate.environment_targets, (), ())
    for jobs in ("1", "2"):
        monkeypatch.setenv("OBSC_JOBS", jobs)
        seen: list[tuple[int, int, str]] = []
        renderers = configured_renderers({})
        engine.render_pairs(
            resolved, pairs, TARGETS, renderers, on_unit_done=lambda *call, s=seen: s.append(call)
        )
        total = seen[0][1]
        assert [done for done, _, _ in seen] == list(range(1, total + 1))
        assert {t for _, t, _ in seen} == {total}
        assert {target for _, _, target in seen} >= {f"{env}/alerts" for env, _ in pairs}


def _square(number: int) -> int:
    return number * number


def _fail_on_seven(number: int) -> int:
    if number == 7:
        raise ValueError("seven")
    return number


def _die_on_seven(number: int) -> int:
    if number == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    return number


def test_parallel_map_keeps_the_order_of_its_items() -> None:
    assert parallel_map(_square, range(100), jobs=2, chunksize=3) == [n * n for n in range(100)]


def test_parallel_map_reports_a_task_failure_and_returns() -> None:
    """The pool is shut down cleanly after an exception, not left hanging (a CI run hung)."""
    for _ in range(5):
        with pytest.raises(ValueError, match="seven"):
            parallel_map(_fail_on_seven, range(64), jobs=2, chunksize=1)


def test_a_worker_killed_by_a_signal_is_reported() -> None:
    with pytest.raises(RenderError, match="worker process died"):
        parallel_map(_die_on_seven, range(64), jobs=2, chunksize=1)
