"""An unchanged estate is not rendered again, and nothing stale is ever reused."""

from __future__ import annotations

from pathlib import Path

import pytest

import compiler.pipeline
from compiler.output import render_cache
from tests.conftest import ObscRunner


def _no_rendering(*_args: object, **_kwargs: object) -> dict[str, bytes]:
    raise AssertionError("rendered again although nothing changed")


def test_check_and_diff_reuse_an_unchanged_render(
    obsc: ObscRunner, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    monkeypatch.setattr(compiler.pipeline, "render_files", _no_rendering)
    run = obsc("--repo", minimal_repo, "render", "--check", "--no-policies")
    assert run.code == 0, run.err
    assert obsc("--repo", minimal_repo, "diff").code == 0


def test_a_hand_edited_file_is_rendered_again(obsc: ObscRunner, minimal_repo: Path) -> None:
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    model = next((minimal_repo / "rendered").rglob("model.json"))
    model.write_text(model.read_text().replace('"mini"', '"edited"'))
    run = obsc("--repo", minimal_repo, "render", "--check", "--no-policies")
    assert run.code == 1
    assert model.relative_to(minimal_repo / "rendered").as_posix() in run.out + run.err


def test_a_changed_spec_is_rendered_again(obsc: ObscRunner, minimal_repo: Path) -> None:
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    service = minimal_repo / "specs" / "services" / "api.yaml"
    service.write_text(service.read_text().replace("tier: 1", "tier: 2"))
    assert obsc("--repo", minimal_repo, "render", "--check", "--no-policies").code == 1


def test_another_compiler_never_reuses(
    obsc: ObscRunner, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    monkeypatch.setattr(render_cache, "compiler_fingerprint", lambda: "another obsc")
    calls: list[int] = []
    real = compiler.pipeline.render_files

    def counting(*args: object, **kwargs: object) -> dict[str, bytes]:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(compiler.pipeline, "render_files", counting)
    assert obsc("--repo", minimal_repo, "render", "--check", "--no-policies").code == 0
    assert calls == [1]


def test_a_missing_or_unreadable_cache_is_just_not_used(
    obsc: ObscRunner, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache directory should be")
    monkeypatch.setenv("OBSC_CACHE_DIR", str(blocked))
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    assert obsc("--repo", minimal_repo, "render", "--check", "--no-policies").code == 0


def test_the_fingerprint_changes_with_any_source_or_data_file(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "data").mkdir(parents=True)
    (package / "render.py").write_text("X = 1\n")
    (package / "data" / "flask.yaml").write_text("a: 1\n")
    (package / "notes.txt").write_text("not read")
    first = render_cache.tree_digest([package])
    (package / "notes.txt").write_text("still not read")
    assert render_cache.tree_digest([package]) == first
    (package / "data" / "flask.yaml").write_text("a: 2\n")
    second = render_cache.tree_digest([package])
    assert second != first
    (package / "render.py").write_text("X = 2\n")
    assert render_cache.tree_digest([package]) not in (first, second)
