"""An unchanged estate is not rendered again, and nothing stale is ever reused."""

from __future__ import annotations

from pathlib import Path

import pytest

import compiler.pipeline
from compiler.output import render_cache
from compiler.output.manifest import file_digest
from tests.conftest import ObscRunner


def _no_rendering(*_args: object, **_kwargs: object) -> dict[str, bytes]:
    raise AssertionError("rendered again although nothing changed")


def test_check_and_diff_reuse_an_unchanged_render(
    obsc: ObscRunner, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    monkeypatch.setattr(compiler.pipeline, "stream_render", _no_rendering)
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
    real = compiler.pipeline.stream_render

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(compiler.pipeline, "stream_render", counting)
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


def _rendered(obsc: ObscRunner, repo: Path) -> Path:
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    return repo / "rendered"


def test_an_unchanged_tree_is_recognised_without_reading_it(
    obsc: ObscRunner, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rendered(obsc, minimal_repo)
    monkeypatch.setattr(compiler.pipeline, "list_tree", _no_rendering)
    monkeypatch.setattr(compiler.pipeline, "stream_render", _no_rendering)
    monkeypatch.setattr(render_cache, "_RACY_NS", 0)  # trust stats recorded just now
    hashed: list[bytes] = []
    real_digest = file_digest

    def counting_digest(content: bytes) -> str:
        hashed.append(content)
        return real_digest(content)

    monkeypatch.setattr(render_cache, "file_digest", counting_digest)
    assert obsc("--repo", minimal_repo, "render", "--check", "--no-policies").code == 0
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    assert obsc("--repo", minimal_repo, "diff").code == 0
    assert hashed == []


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(
    obsc: ObscRunner, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = _rendered(obsc, minimal_repo)
    monkeypatch.setattr(render_cache, "_RACY_NS", 0)
    model = next(rendered.rglob("model.json"))
    before = model.stat()
    text = model.read_text()
    model.write_text(text.replace('"mini"', '"MINI"'))  # same size
    import os

    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime put back; ctime moves
    run = obsc("--repo", minimal_repo, "render", "--check", "--no-policies")
    assert run.code == 1


@pytest.mark.parametrize("change", ["extra file", "missing file", "manifest edited"])
def test_the_fast_path_sees_added_removed_and_manifest_changes(
    change: str, obsc: ObscRunner, minimal_repo: Path
) -> None:
    rendered = _rendered(obsc, minimal_repo)
    if change == "extra file":
        (rendered / "dev" / "stray.yaml").write_text("x: 1\n")
    elif change == "missing file":
        next(rendered.rglob("model.json")).unlink()
    else:
        manifest = rendered / "manifest.json"  # a file's digest altered by hand
        text = manifest.read_text()
        entry = text.index('/model.json": "sha256:') + len('/model.json": "sha256:')
        manifest.write_text(text[:entry] + "0" * 64 + text[entry + 64 :])
    assert obsc("--repo", minimal_repo, "render", "--check", "--no-policies").code == 1
