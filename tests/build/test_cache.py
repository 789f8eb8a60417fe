"""The incremental build: an unchanged repository is neither loaded nor rendered again, any
change is seen, and every fast path missed says why (`--explain-cache`)."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.build import fingerprint, inputs, stat_index
from tests.conftest import ROOT, ObscRunner, Run
from tests.resolve.test_precedence import SNAPSHOT

FRESH_INPUTS = "cache: inputs: unchanged since the last load"
NOT_RENDERED = "; nothing to render"


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust stats taken a moment ago (every file a test writes is 'racy')."""
    monkeypatch.setattr(stat_index, "RACY_NS", 0)


def _render(obsc: ObscRunner, repo: Path, *flags: str) -> None:
    run = obsc("--repo", repo, "render", *flags)
    assert run.code == 0, run.err


def _check(obsc: ObscRunner, repo: Path, *flags: str) -> Run:
    return obsc("--repo", repo, "render", "--check", "--no-policies", "--explain-cache", *flags)


def _explained(run: Run) -> list[str]:
    return [line for line in run.err.splitlines() if line.startswith("cache: ")]


def _with_snapshot(repo: Path) -> Path:
    (repo / "snapshots").mkdir()
    snapshot = repo / "snapshots" / "ghost.yaml"
    snapshot.write_text(SNAPSHOT.replace("name: api", "name: ghost"))
    return snapshot


def test_an_unchanged_repository_is_neither_loaded_nor_rendered(
    obsc: ObscRunner, minimal_repo: Path, trusting: None
) -> None:
    _with_snapshot(minimal_repo)
    first = obsc("--repo", minimal_repo, "render", "--no-policies", "--explain-cache")
    assert first.code == 0, first.err
    assert "cache: inputs: stale, because no-input-record" in first.err
    assert "cache: rendered/: stale, because no-render-record" in first.err
    again = _check(obsc, minimal_repo)
    assert again.code == 0, again.err
    explained = _explained(again)
    assert explained[0] == FRESH_INPUTS  # nothing re-read: every stat vouched for its file
    assert explained[1].startswith("cache: rendered/: already this render (v1)")
    assert explained[1].endswith(NOT_RENDERED)
    assert "warning[OBSC308]" in again.err  # the recorded warnings are still reported
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    diff = obsc("--repo", minimal_repo, "diff", "--explain-cache")
    assert diff.code == 0 and NOT_RENDERED in diff.err


def test_racy_entries_are_re_read_rather_than_trusted_or_discarded(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    """Files written a moment ago could change again without their stat changing: each is
    read again and compared, and the fast path is still taken when the bytes are the same."""
    service = minimal_repo / "specs" / "services" / "api.yaml"
    service.write_text(service.read_text())  # written just now (the copy kept the old mtime)
    _render(obsc, minimal_repo, "--no-policies")
    run = _check(obsc, minimal_repo)
    assert run.code == 0, run.err
    inputs_line, tree_line = _explained(run)[:2]
    assert inputs_line.startswith(FRESH_INPUTS + ", ")
    assert "re-read and found the same" in inputs_line
    assert NOT_RENDERED in tree_line and "re-read and found the same" in tree_line


def test_a_racy_entry_is_checked_by_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\n")
    now = stat_index.stat_of(str(path))
    forged = {"files": {"f.yaml": [*now, "sha256:not-its-digest"]}}
    racy = stat_index.StatIndex(tmp_path, {**forged, "written_ns": now[1]})
    assert racy.digest("f.yaml") == stat_index.digest_of(str(path))
    assert racy.racy == ["f.yaml"]
    settled = stat_index.StatIndex(tmp_path, {**forged, "written_ns": now[1] + 10**12})
    assert settled.digest("f.yaml") == "sha256:not-its-digest"  # the stat vouches for it
    assert settled.racy == settled.read == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("spec edit", "inputs: stale, because input-changed: specs/services/api.yaml"),
        ("same-size edit", "inputs: stale, because input-changed: specs/services/api.yaml"),
        ("new spec file", "inputs: stale, because input-added: specs/services/extra.yaml"),
        ("snapshot removed", "inputs: stale, because input-removed: snapshots/ghost.yaml"),
        ("compiler changed", "inputs: stale, because compiler-changed"),
        ("rendered file edited", "rendered/: stale, because rendered-file-changed: dev/model/"),
        ("rendered file added", "rendered/: stale, because rendered-file-added: dev/stray.yaml"),
        ("rendered file removed", "rendered/: stale, because rendered-file-missing: dev/model/"),
        ("manifest edited", "rendered/: stale, because manifest-changed"),
    ],
)
def test_every_change_is_seen_and_named(
    change: str,
    reason: str,
    obsc: ObscRunner,
    minimal_repo: Path,
    trusting: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    snapshot = _with_snapshot(minimal_repo)
    _render(obsc, minimal_repo, "--no-policies")
    service = minimal_repo / "specs" / "services" / "api.yaml"
    rendered = minimal_repo / "rendered"
    model = next(rendered.rglob("model.json"))
    if change == "spec edit":
        service.write_text(service.read_text().replace("tier: 1", "tier: 2"))
    elif change == "same-size edit":
        stat = service.stat()
        service.write_text(service.read_text().replace("tier: 1", "tier: 2"))
        os.utime(service, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # mtime put back
    elif change == "new spec file":
        (minimal_repo / "specs" / "services" / "extra.yaml").write_text("")
    elif change == "snapshot removed":
        snapshot.unlink()
    elif change == "compiler changed":
        monkeypatch.setattr(fingerprint, "compiler_fingerprint", lambda: "another obsc")
    elif change == "rendered file edited":
        stat = model.stat()
        model.write_text(model.read_text().replace('"mini"', '"MINI"'))  # same size
        os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # mtime put back
    elif change == "rendered file added":
        (rendered / "dev" / "stray.yaml").write_text("x: 1\n")
    elif change == "rendered file removed":
        model.unlink()
    else:
        manifest = rendered / "manifest.json"  # a file's digest altered by hand
        text = manifest.read_text()
        entry = text.index('/model.json": "sha256:') + len('/model.json": "sha256:')
        manifest.write_text(text[:entry] + "0" * 64 + text[entry + 64 :])
    run = _check(obsc, minimal_repo)
    assert any(line.startswith(f"cache: {reason}") for line in _explained(run)), run.err
    # every change but the compiler's changes rendered/ (a file, or the manifest's digest)
    assert run.code == (0 if change == "compiler changed" else 1), run.err


def test_a_policy_edit_is_named_and_checked_again(
    obsc: ObscRunner,
    minimal_repo: Path,
    trusting: None,
    real_tool: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OBSC_CUE", str(real_tool("cue")))
    (minimal_repo / "policies").mkdir()
    policy = minimal_repo / "policies" / "slo-window-range.cue"
    shutil.copyfile(ROOT / "policies" / "slo-window-range.cue", policy)
    _render(obsc, minimal_repo)
    first = obsc("--repo", minimal_repo, "render", "--check", "--explain-cache")
    assert first.code == 0 and "policies:" in first.err, first.err
    assert FRESH_INPUTS in first.err
    policy.write_text(policy.read_text() + "\n// edited\n")
    again = obsc("--repo", minimal_repo, "render", "--check", "--explain-cache")
    assert again.code == 0, again.err
    reason = "cache: inputs: stale, because policy-changed: policies/slo-window-range.cue"
    assert reason in again.err
    assert NOT_RENDERED in again.err  # policies do not change what is rendered
    assert again.err.count("policies:") == first.err.count("policies:")


def test_policies_not_checked_last_time_are_checked_now(
    obsc: ObscRunner, minimal_repo: Path, trusting: None
) -> None:
    _render(obsc, minimal_repo, "--no-policies")
    run = obsc("--repo", minimal_repo, "render", "--check", "--explain-cache")
    assert "cache: inputs: stale, because policies-not-checked" in run.err


def test_a_missing_or_unwritable_cache_is_just_not_used(
    obsc: ObscRunner, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache directory should be")
    monkeypatch.setenv("OBSC_CACHE_DIR", str(blocked))
    _render(obsc, minimal_repo, "--no-policies")
    run = _check(obsc, minimal_repo)
    assert run.code == 0
    assert "cache: inputs: stale, because no-input-record" in run.err


def test_the_fingerprint_changes_with_any_source_or_data_file(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "data").mkdir(parents=True)
    (package / "render.py").write_text("X = 1\n")
    (package / "data" / "flask.yaml").write_text("a: 1\n")
    (package / "notes.txt").write_text("not read")
    first = fingerprint.tree_digest([package])
    (package / "notes.txt").write_text("still not read")
    assert fingerprint.tree_digest([package]) == first
    (package / "data" / "flask.yaml").write_text("a: 2\n")
    second = fingerprint.tree_digest([package])
    assert second != first
    (package / "render.py").write_text("X = 2\n")
    assert fingerprint.tree_digest([package]) not in (first, second)


def test_an_unreadable_record_is_ignored_with_a_warning(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    _render(obsc, minimal_repo, "--no-policies")
    inputs.record_file(minimal_repo).write_bytes(b"not a record")
    run = _check(obsc, minimal_repo)
    assert run.code == 0, run.err
    assert "warning[OBSC020]" in run.err and "cache record" in run.err
    assert "cache: inputs: stale, because unreadable-record" in run.err


class _Payload:
    """Unpickling this runs `open(marker, 'w')`: what a hostile cache file would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("where", ["record path", "old pickle path"])
def test_a_hostile_cache_record_cannot_run_code(
    obsc: ObscRunner,
    minimal_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    """A record planted in the cache (e.g. a relative OBSC_CACHE_DIR committed in a pull
    request) is data: a pickle payload is never unpickled, and a record that is not JSON of
    the expected shape is ignored with a warning."""
    monkeypatch.setenv("OBSC_CACHE_DIR", str(minimal_repo / ".obsc-cache"))
    _render(obsc, minimal_repo, "--no-policies")
    marker = tmp_path / "code-ran"
    record = inputs.record_file(minimal_repo)
    target = record if where == "record path" else record.with_suffix(".pickle")
    target.write_bytes(pickle.dumps(_Payload(marker)))
    run = obsc("--repo", minimal_repo, "render", "--check", "--no-policies")
    assert run.code == 0, run.err
    assert not marker.exists()
    if where == "record path":
        assert "warning[OBSC020]" in run.err and "cache record" in run.err
    else:
        assert "OBSC020" not in run.err  # the old file is not even read


def test_a_record_with_a_forged_shape_is_ignored(
    obsc: ObscRunner, minimal_repo: Path, trusting: None
) -> None:
    _render(obsc, minimal_repo, "--no-policies")
    path = inputs.record_file(minimal_repo)
    record = json.loads(path.read_text())
    record["value"]["extra"] = ["../../etc/passwd"]
    path.write_text(json.dumps(record))
    recalled = inputs.recall(minimal_repo, with_policies=False)
    assert recalled.known is None and recalled.warning is not None
    assert "not inside the repository" in recalled.warning.message
