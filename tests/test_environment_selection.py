"""`--env E`: every spec file is loaded and validated, only E is resolved, checked and rendered.

A defect that exists only in another environment is not `render --env E`'s to report;
`obsc validate` and a render of every environment (what the scaffolded CI runs) report it.
"""

from __future__ import annotations

from pathlib import Path

from compiler.build import inputs
from compiler.pipeline import load_estate, render_files, select_pairs
from tests.conftest import ObscRunner

DEV_ONLY_DEFECT = "OBSC309"  # 250ms is not one of dev's histogram buckets


def _break_dev(repo: Path) -> None:
    """Give `api` histogram buckets in dev that its latency threshold is not one of."""
    service = repo / "specs" / "services" / "api.yaml"
    text = service.read_text()
    assert "    prod: {sampling: 0.05}\n" in text
    service.write_text(
        text.replace(
            "    prod: {sampling: 0.05}\n",
            "    prod: {sampling: 0.05}\n    dev: {metrics: {histogramBuckets: [0.1, 0.5, 1]}}\n",
        )
    )


def test_a_defect_only_in_dev_is_not_reported_by_render_env_prod(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    _break_dev(minimal_repo)
    prod = obsc("--repo", minimal_repo, "render", "--env", "prod", "--no-policies")
    assert prod.code == 0, prod.err
    assert DEV_ONLY_DEFECT not in prod.err
    assert (minimal_repo / "rendered" / "prod" / "model" / "model.json").is_file()
    assert obsc("--repo", minimal_repo, "diff", "--env", "prod").code == 0


def test_validate_and_a_render_of_everything_report_it(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    _break_dev(minimal_repo)
    for command in (
        ("validate", "--no-policies"),
        ("render", "--no-policies"),
        ("render", "--check", "--no-policies"),
        ("render", "--env", "dev", "--no-policies"),
        ("diff",),
    ):
        run = obsc("--repo", minimal_repo, *command)
        assert run.code == 2, (command, run.err)
        assert f"error[{DEV_ONLY_DEFECT}]" in run.err, command


def test_a_file_level_error_anywhere_is_still_reported(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    service = minimal_repo / "specs" / "services" / "api.yaml"
    service.write_text(service.read_text().replace("    prod: {sampling: 0.05}", "    dev: {x: 1}"))
    run = obsc("--repo", minimal_repo, "render", "--env", "prod", "--no-policies")
    assert run.code == 2
    assert "environments.dev.x" in run.err


def test_the_render_after_a_partial_load_loads_everything_again(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    """A load of prod alone does not become the inputs record a whole render trusts."""
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    record = inputs.record_file(minimal_repo)
    before = record.read_bytes()
    _break_dev(minimal_repo)
    assert obsc("--repo", minimal_repo, "render", "--env", "prod", "--no-policies").code == 0
    assert record.read_bytes() == before
    run = obsc("--repo", minimal_repo, "render", "--check", "--no-policies")
    assert run.code == 2
    assert f"error[{DEV_ONLY_DEFECT}]" in run.err


def test_an_environment_resolved_alone_renders_the_same_bytes(example_repo: Path) -> None:
    everything = load_estate(example_repo)
    for env in everything.environment_targets:
        alone = load_estate(example_repo, [env])
        assert list(alone.resolved.environments) == [env]
        assert alone.environment_targets == everything.environment_targets
        pairs = select_pairs(alone.environment_targets, [env], ())
        assert render_files(alone.resolved, pairs) == render_files(everything.resolved, pairs)
        assert alone.resolved.input_digest == everything.resolved.input_digest


def test_the_manifest_of_a_partial_render_lists_every_environment(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    assert obsc("--repo", minimal_repo, "render", "--env", "prod", "--no-policies").code == 0
    manifest = (minimal_repo / "rendered" / "manifest.json").read_text()
    assert '"dev"' in manifest and '"prod"' in manifest
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    assert obsc("--repo", minimal_repo, "render", "--check", "--no-policies").code == 0
