"""Specs unchanged since they last validated are not loaded again; any change is seen."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import pytest

import compiler.pipeline
from compiler import input_record
from tests.conftest import ROOT, ObscRunner, Run
from tests.resolve.test_precedence import SNAPSHOT


def _no_loading(*_args: object, **_kwargs: object) -> object:
    raise AssertionError("loaded the specs although nothing changed")


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Trust stats taken just now (files written by a test are always 'racy')."""
    monkeypatch.setattr(input_record, "_RACY_NS", 0)
    monkeypatch.setattr(compiler.output.render_cache, "_RACY_NS", 0)
    return monkeypatch


def _loaded(run: Run) -> bool:
    """Whether the run tried to load the specs (obsc reports the test's trap as a bug)."""
    return run.code == 70 and "loaded the specs although nothing changed" in run.err


def _rendered(obsc: ObscRunner, repo: Path, *flags: str) -> None:
    run = obsc("--repo", repo, "render", *flags)
    assert run.code == 0, run.err


def test_unchanged_inputs_and_tree_need_no_loading(
    obsc: ObscRunner, minimal_repo: Path, trusting: pytest.MonkeyPatch
) -> None:
    (minimal_repo / "snapshots").mkdir()
    (minimal_repo / "snapshots" / "ghost.yaml").write_text(
        SNAPSHOT.replace("name: api", "name: ghost")
    )
    _rendered(obsc, minimal_repo, "--no-policies")
    first = obsc("--repo", minimal_repo, "render", "--check", "--no-policies")
    trusting.setattr(compiler.pipeline, "load_estate", _no_loading)
    again = obsc("--repo", minimal_repo, "render", "--check", "--no-policies")
    assert again.code == 0, again.err
    assert "warning[OBSC308]" in again.err  # the recorded warnings are still reported
    assert again.err == first.err
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    assert obsc("--repo", minimal_repo, "diff").code == 0


def test_policies_are_reported_from_the_record_and_rechecked_when_they_change(
    obsc: ObscRunner, example_repo: Path, trusting: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "policies", example_repo / "policies")
    _rendered(obsc, example_repo)
    first = obsc("--repo", example_repo, "render", "--check")
    assert first.code == 0 and "policies:" in first.err
    real_load = compiler.pipeline.load_estate
    trusting.setattr(compiler.pipeline, "load_estate", _no_loading)
    again = obsc("--repo", example_repo, "render", "--check")
    assert again.code == 0, again.err
    assert again.err == first.err
    policy = sorted((example_repo / "policies").glob("*.cue"))[0]
    policy.write_text(policy.read_text() + "\n// edited\n")
    assert _loaded(obsc("--repo", example_repo, "render", "--check"))
    trusting.setattr(compiler.pipeline, "load_estate", real_load)
    assert obsc("--repo", example_repo, "render", "--check").code == 0


@pytest.mark.parametrize("change", ["same-size edit", "new spec file", "removed snapshot"])
def test_any_input_change_loads_the_specs_again(
    obsc: ObscRunner, minimal_repo: Path, trusting: pytest.MonkeyPatch, change: str
) -> None:
    (minimal_repo / "snapshots").mkdir()
    snapshot = minimal_repo / "snapshots" / "ghost.yaml"
    snapshot.write_text(SNAPSHOT.replace("name: api", "name: ghost"))
    _rendered(obsc, minimal_repo, "--no-policies")
    service = minimal_repo / "specs" / "services" / "api.yaml"
    if change == "same-size edit":
        stat = service.stat()
        service.write_text(service.read_text().replace("tier: 1", "tier: 2"))
        os.utime(service, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # mtime put back
    elif change == "new spec file":
        (minimal_repo / "specs" / "services" / "extra.yaml").write_text("")
    else:
        snapshot.unlink()
    trusting.setattr(compiler.pipeline, "load_estate", _no_loading)
    assert _loaded(obsc("--repo", minimal_repo, "render", "--check", "--no-policies"))


def test_another_compiler_or_an_unreadable_record_is_not_used(
    obsc: ObscRunner, minimal_repo: Path, trusting: pytest.MonkeyPatch
) -> None:
    _rendered(obsc, minimal_repo, "--no-policies")
    assert input_record.recall(minimal_repo, with_policies=False).known is not None
    assert input_record.recall(minimal_repo, with_policies=True).known is None  # none checked
    input_record._record_path(minimal_repo).write_bytes(b"not a record")
    recalled = input_record.recall(minimal_repo, with_policies=False)
    assert recalled.known is None
    assert recalled.warning is not None and recalled.warning.code == "OBSC020"
    _rendered(obsc, minimal_repo, "--no-policies")
    trusting.setattr(input_record, "compiler_fingerprint", lambda: "another obsc")
    assert input_record.recall(minimal_repo, with_policies=False).known is None


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
    cache = minimal_repo / ".obsc-cache"
    monkeypatch.setenv("OBSC_CACHE_DIR", str(cache))
    _rendered(obsc, minimal_repo, "--no-policies")
    marker = tmp_path / "code-ran"
    record = input_record._record_path(minimal_repo)
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
    obsc: ObscRunner, minimal_repo: Path, trusting: pytest.MonkeyPatch
) -> None:
    _rendered(obsc, minimal_repo, "--no-policies")
    path = input_record._record_path(minimal_repo)
    record = json.loads(path.read_text())
    record["stats"] = {"../../etc/passwd": [1, 2, 3, 4]}
    path.write_text(json.dumps(record))
    recalled = input_record.recall(minimal_repo, with_policies=False)
    assert recalled.known is None and recalled.warning is not None
    assert "not inside the repository" in recalled.warning.message
