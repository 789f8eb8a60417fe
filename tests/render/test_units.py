"""A render cut into units gives the same files however it is cut, and streams to disk."""

from __future__ import annotations

from pathlib import Path

import pytest

import compiler.pipeline as pipeline
from bench.generate import generate
from compiler.model import ResolvedEstate
from compiler.output.manifest import file_digest
from compiler.output.sink import Keep, TreeSink
from compiler.pipeline import configured_renderers, load_estate, render_files
from compiler.render import engine, units
from compiler.render.runner import job_count
from compiler.render.units import RenderJob, plan_units
from targets import TARGETS
from tests.conftest import ROOT, ObscRunner


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Estate:
    repo = tmp_path_factory.mktemp("generated")
    generate(repo, services=60)
    return load_estate(repo)


def _job(resolved: ResolvedEstate) -> RenderJob:
    return RenderJob(resolved, TARGETS, configured_renderers({}))


def test_units_cover_every_service_once_and_keep_packaged_targets_together() -> None:
    resolved = load_estate(ROOT).resolved
    selected = {env: list(model.targets) for env, model in resolved.environments.items()}
    planned = plan_units(_job(resolved), selected, 2)
    for env, names in selected.items():
        mine = [u for u in planned if u.environment == env]
        assembly = [u for u in mine if u.kind == "assembly"]
        packagers = [n for n in names if TARGETS[n].assemble is not None]
        assert len(assembly) == (1 if packagers else 0)
        inside = set(assembly[0].names) if assembly else set()
        assert set(packagers) <= inside
        for name in names:
            if name in inside:
                assert not [u for u in mine if u.target == name], name
                continue
            chunks = [u for u in mine if u.target == name and u.kind == "services"]
            kinds = [u.kind for u in mine if u.target == name]
            # a spliced file is a unit of its own (model.json; the alerts' Loki rules)
            assert kinds.count("spliced") == (TARGETS[name].spliced is not None), name
            if TARGETS[name].per_service is None:
                assert kinds == ["spliced" if TARGETS[name].spliced else "whole"]
                continue
            covered = [i for u in chunks for i in range(u.first, u.stop)]
            assert covered == list(range(len(resolved.environments[env].services))), name
            assert kinds.count("shared") == 1


def test_an_overridden_renderer_is_rendered_whole(generated: pipeline.Estate) -> None:
    resolved = generated.resolved
    renderers = dict(configured_renderers({}))
    renderers["grafana"] = lambda model: {}
    selected = {"prod": ["grafana", "alerts"]}
    planned = plan_units(RenderJob(resolved, TARGETS, renderers), selected, 2)
    assert [u.kind for u in planned if u.target == "grafana"] == ["whole"]
    assert "services" in [u.kind for u in planned if u.target == "alerts"]


def test_one_environment_in_chunks_on_every_cpu_is_byte_identical(
    generated: pipeline.Estate, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved = generated.resolved
    pairs = [("prod", target) for target in resolved.environments["prod"].targets]
    sequential = render_files(resolved, pairs)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(units, "MIN_CHUNK", 7)
    if job_count(len(resolved.environments["prod"].services), engine.PARALLEL_THRESHOLD) < 2:
        pytest.skip("one CPU: nothing runs in parallel")
    planned = plan_units(_job(resolved), {"prod": ["alerts"]}, 2)
    assert len([u for u in planned if u.kind == "services"]) > 4
    chunked = render_files(resolved, pairs)
    assert list(chunked) == list(sequential)
    assert chunked == sequential
    # and the same as each target's own `render`, the interface tests and tools use
    model = resolved.environments["prod"]
    for target in ("alerts", "grafana"):
        whole = TARGETS[target].render(model)
        mine = {
            p.split("/", 2)[2]: c for p, c in chunked.items() if p.startswith(f"prod/{target}/")
        }
        assert mine == whole


def test_the_sink_links_what_is_unchanged_and_keeps_what_was_asked(tmp_path: Path) -> None:
    old, staging = tmp_path / "old", tmp_path / "staging"
    (old / "a").mkdir(parents=True)
    (old / "a" / "same.yaml").write_bytes(b"same\n")
    (old / "a" / "changed.yaml").write_bytes(b"before\n")
    (old / "a" / "longer.yaml").write_bytes(b"x\n")
    sink = TreeSink(old, staging, Keep.CHANGED)
    same = sink.put("a/same.yaml", b"same\n")
    changed = sink.put("a/changed.yaml", b"after!\n")
    grown = sink.put("a/longer.yaml", b"xx\n")
    added = sink.put("b/new.yaml", b"new\n")
    assert (same.same, changed.same, grown.same, added.same) == (True, False, False, None)
    assert same.content is None
    assert (changed.content, grown.content, added.content) == (b"after!\n", b"xx\n", b"new\n")
    assert same.digest == file_digest(b"same\n")
    assert (staging / "a" / "same.yaml").stat().st_ino == (old / "a" / "same.yaml").stat().st_ino
    assert (staging / "a" / "changed.yaml").read_bytes() == b"after!\n"
    assert (staging / "b" / "new.yaml").read_bytes() == b"new\n"
    assert (old / "a" / "changed.yaml").read_bytes() == b"before\n"  # the old tree untouched
    keep_all = TreeSink(None, None, Keep.ALL).put("x", b"1")
    assert (keep_all.same, keep_all.content) == (None, b"1")
    assert TreeSink(old, None, Keep.NONE).put("a/changed.yaml", b"z").content is None


def test_a_render_after_one_change_writes_only_what_changed(
    obsc: ObscRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "estate"
    generate(repo, services=12)
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    rendered = repo / "rendered"
    before = {p: p.stat().st_ino for p in rendered.rglob("*") if p.is_file()}
    service = sorted((repo / "specs" / "services").rglob("*.yaml"))[0]
    text = service.read_text()
    service.write_text(text.replace("objective: 99.9\n", "objective: 99.5\n", 1))
    assert service.read_text() != text
    run = obsc("--repo", repo, "render", "--no-policies")
    assert run.code == 0, run.err
    after = {p: p.stat().st_ino for p in rendered.rglob("*") if p.is_file()}
    assert set(after) == set(before)
    rewritten = sorted(p.relative_to(rendered).as_posix() for p in after if before[p] != after[p])
    # unchanged files are hard links of the old ones (same inode), not files written again
    assert "manifest.json" in rewritten
    assert 0 < len(rewritten) < len(after) / 3, rewritten
    rules = {Path(p).name for p in rewritten if "/rules/" in p}
    assert len(rules) == 1, rules  # the one service whose SLO changed, in each environment
    name = rules.pop().removesuffix(".rules.yaml")
    assert all(p == "manifest.json" or "/model/" in p or name in p for p in rewritten), rewritten
