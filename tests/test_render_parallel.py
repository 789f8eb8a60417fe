"""Environments rendered in parallel processes give exactly the sequential bytes."""

from __future__ import annotations

import pytest

import compiler.pipeline as pipeline
from bench.generate import generate
from compiler.errors import RenderError
from compiler.model import EnvironmentModel
from compiler.pipeline import configured_renderers, load_estate, render_files, select_pairs


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
    monkeypatch.setattr(pipeline, "_PARALLEL_THRESHOLD", 20)
    return generated_estate


def test_parallel_render_is_byte_identical(
    large_estate: pipeline.Estate, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved = large_estate.resolved
    pairs = select_pairs(resolved, (), ())
    if pipeline._parallel_jobs(resolved, list(resolved.environments)) < 2:
        pytest.skip("one CPU: nothing runs in parallel")
    parallel = render_files(resolved, pairs)
    monkeypatch.setenv("OBSC_JOBS", "1")
    assert pipeline._parallel_jobs(resolved, list(resolved.environments)) == 1
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
    if pipeline._parallel_jobs(resolved, list(resolved.environments)) < 2:
        pytest.skip("one CPU: nothing runs in parallel")
    with pytest.raises(RenderError, match="target 'grafana' failed for environment 'prod'"):
        render_files(resolved, select_pairs(resolved, (), ()), renderers)


def test_small_estates_render_in_process(generated_estate: pipeline.Estate) -> None:
    resolved = generated_estate.resolved
    assert pipeline._parallel_jobs(resolved, list(resolved.environments)) == 1
