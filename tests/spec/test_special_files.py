"""Inputs that are not plain files, or cannot be read (issue 23, finding 6).

FIFOs and symlinks to devices are refused before they are opened (a plain read would hang
or grow without end), symlinks leaving the repository are refused, an unlistable folder
under specs/ is an error instead of an absence, and too-deep YAML is refused before
libyaml's recursive composer can crash the process. The commands that could hang or crash
run as subprocesses with a timeout, so a regression fails the test instead of the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from compiler.errors import DiagnosticSink
from compiler.spec.files import UnreadableInput, read_input
from compiler.spec.loader import _SAFE_NESTING_BOUND, nesting_bound, parse_text
from tests.conftest import FIXTURES, ROOT, ObscRunner, Run, tree_bytes

DEEP = "a: " + "[" * 30_000 + "]" * 30_000 + "\n"  # crashed libyaml's composer: exit 139


def _obsc(*args: str | Path, cwd: Path | None = None, timeout: float = 60) -> Run:
    """`obsc ARGS` in a child process: a hang becomes a TimeoutExpired, a crash a signal."""
    done = subprocess.run(
        [sys.executable, "-m", "compiler.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def _rendered(obsc: ObscRunner, repo: Path) -> dict[str, bytes]:
    result = obsc("--repo", repo, "render")
    assert result.code == 0, result.err
    return tree_bytes(repo / "rendered")


def test_fifo_under_specs_is_refused_not_waited_on(obsc: ObscRunner, minimal_repo: Path) -> None:
    before = _rendered(obsc, minimal_repo)
    os.mkfifo(minimal_repo / "specs" / "pipe.yaml")
    result = _obsc("--repo", minimal_repo, "render", timeout=30)
    assert result.code == 2, result.err
    assert "specs/pipe.yaml:1:1: error[OBSC001]: not a regular file: a named pipe" in result.err
    assert "Traceback" not in result.err
    assert tree_bytes(minimal_repo / "rendered") == before


@pytest.fixture
def cue_run_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """OBSC_CUE names a cue that only leaves the returned marker behind if it is ever run.

    The refusal must come before cue, so these tests need no real cue (obsc asks for one
    before it reads policies/), and they show that cue was not run at all.
    """
    tripwire = tmp_path / "tripwire" / "cue"
    tripwire.parent.mkdir()
    marker = tripwire.with_name("cue-was-run")
    tripwire.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 99\n", encoding="utf-8")
    tripwire.chmod(0o755)
    monkeypatch.setenv("OBSC_CUE", str(tripwire))
    return marker


def test_symlink_to_dev_zero_as_policy_is_refused_before_cue(
    minimal_repo: Path, cue_run_marker: Path
) -> None:
    (minimal_repo / "policies").mkdir()
    (minimal_repo / "policies" / "zero.cue").symlink_to("/dev/zero")
    result = _obsc("--repo", minimal_repo, "validate", timeout=30)
    assert result.code == 2, result.err
    assert "policies/zero.cue:1:1: error[OBSC001]" in result.err
    assert "a symlink to /dev/zero" in result.err and "character device" in result.err
    assert not cue_run_marker.exists()


def test_fifo_as_policy_is_refused_before_cue(minimal_repo: Path, cue_run_marker: Path) -> None:
    (minimal_repo / "policies").mkdir()
    os.mkfifo(minimal_repo / "policies" / "rules.cue")
    result = _obsc("--repo", minimal_repo, "validate", timeout=30)
    assert result.code == 2, result.err
    assert "policies/rules.cue:1:1: error[OBSC001]: not a regular file: a named pipe" in (
        result.err
    )
    assert not cue_run_marker.exists()


def _with_compose_file(repo: Path, name: str) -> None:
    project = repo / "specs" / "project.yaml"
    text = project.read_text(encoding="utf-8")
    assert "\nspec:\n" in text
    project.write_text(
        text.replace("\nspec:\n", f"\nspec:\n  compose:\n    file: {name}\n", 1),
        encoding="utf-8",
    )


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_special_compose_file_is_refused(minimal_repo: Path, kind: str) -> None:
    target = minimal_repo / "docker-compose.yml"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")
    _with_compose_file(minimal_repo, "docker-compose.yml")
    result = _obsc("--repo", minimal_repo, "validate", timeout=30)
    assert result.code == 2, result.err
    assert "error[OBSC316]" in result.err
    assert ("named pipe" if kind == "fifo" else "character device") in result.err


def test_symlink_leaving_the_repository_is_refused(
    obsc: ObscRunner, minimal_repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.yaml"
    shutil.copy(minimal_repo / "specs" / "services" / "api.yaml", outside)
    (minimal_repo / "specs" / "services" / "api.yaml").unlink()
    (minimal_repo / "specs" / "services" / "api.yaml").symlink_to(outside)
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2, result.err
    assert "specs/services/api.yaml:1:1: error[OBSC001]" in result.err
    assert "leaves the repository" in result.err


def test_symlink_inside_the_repository_is_read(obsc: ObscRunner, minimal_repo: Path) -> None:
    services = minimal_repo / "specs" / "services"
    (minimal_repo / "shared").mkdir()
    (services / "api.yaml").rename(minimal_repo / "shared" / "api.yaml")
    (services / "api.yaml").symlink_to(minimal_repo / "shared" / "api.yaml")
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 0, result.err


def test_symlinked_spec_directory_is_an_error_not_an_absence(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    before = _rendered(obsc, minimal_repo)
    (minimal_repo / "specs" / "services").rename(minimal_repo / "team-services")
    (minimal_repo / "specs" / "services").symlink_to("../team-services")
    result = obsc("--repo", minimal_repo, "render")
    assert result.code == 2, result.err
    assert "specs/services: error[OBSC001]: a symlink to a directory" in result.err
    assert tree_bytes(minimal_repo / "rendered") == before


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.yaml"
    with sparse.open("wb") as handle:
        handle.truncate(9 * 1024 * 1024)  # no data block is ever read
    with pytest.raises(UnreadableInput, match="larger than 8 MiB"):
        read_input(sparse)


def test_a_file_longer_than_its_stat_says_is_read_only_to_the_limit() -> None:
    # /proc files are regular with st_size 0 but hold data: the stat check passes, the
    # bounded read stops at limit + 1 bytes and refuses.
    environ = Path("/proc/self/environ")
    assert environ.stat().st_size == 0 and len(environ.read_bytes()) > 16
    with pytest.raises(UnreadableInput, match="larger than 16 bytes"):
        read_input(environ, limit=16)


def test_unlistable_directory_is_an_error_and_keeps_rendered(
    obsc: ObscRunner, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process: os.scandir fails with EACCES on specs/services (as chmod 000 would)."""
    before = _rendered(obsc, minimal_repo)
    blocked = str(minimal_repo / "specs" / "services")
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if os.fspath(path) == blocked:
            raise PermissionError(13, "Permission denied", blocked)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = obsc("--repo", minimal_repo, "render")
    assert result.code == 4, result.err
    assert (
        "specs/services: error[OBSC006]: cannot list the directory: Permission denied" in result.err
    )
    assert tree_bytes(minimal_repo / "rendered") == before


def _unprivileged() -> list[str]:
    """A prefix that runs a command as `nobody` when we are root (chmod 000 binds it)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: chmod 000 would not stop reading")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_chmod_000_directory_is_an_error_and_keeps_rendered(obsc: ObscRunner) -> None:
    """A real unreadable directory: as an unprivileged user, through the real os.scandir."""
    prefix = _unprivileged()
    with tempfile.TemporaryDirectory() as scratch:  # pytest's tmp_path is private to root
        base = Path(scratch)
        base.chmod(0o777)
        repo = base / "repo"
        shutil.copytree(FIXTURES / "minimal", repo)
        before = _rendered(obsc, repo)
        for path in [repo, *repo.rglob("*")]:
            path.chmod(0o777 if path.is_dir() else 0o666)  # nobody may render here
        (repo / "specs" / "services").chmod(0o000)
        done = subprocess.run(
            [*prefix, sys.executable, "-m", "compiler.cli", "--repo", str(repo), "render"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT), "OBSC_CACHE_DIR": str(base / "c")},
            check=False,
        )
        (repo / "specs" / "services").chmod(0o755)
        assert done.returncode == 4, done.stderr
        assert "specs/services: error[OBSC006]: cannot list the directory" in done.stderr
        assert tree_bytes(repo / "rendered") == before


def test_too_deep_yaml_is_refused_before_the_c_composer(minimal_repo: Path) -> None:
    (minimal_repo / "specs" / "deep.yaml").write_text(DEEP, encoding="utf-8")
    result = _obsc("--repo", minimal_repo, "validate")
    assert result.code == 2, (result.code, result.err)
    assert "specs/deep.yaml:1:103: error[OBSC002]: YAML nesting is too deep" in result.err


def test_too_deep_compose_file_for_detect_is_refused(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  x: " + DEEP[3:], encoding="utf-8")
    result = _obsc("detect", "--compose", compose, cwd=tmp_path)
    assert result.code == 2, (result.code, result.err)
    assert "error[OBSC002]: YAML nesting is too deep" in result.err


def test_fifo_given_to_detect_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "docker-compose.yml")
    result = _obsc("detect", "--compose", tmp_path / "docker-compose.yml", cwd=tmp_path)
    assert result.code == 2, result.err
    assert "not a regular file: a named pipe" in result.err


@pytest.mark.parametrize(
    "text",
    ["- " * 30_000 + "x\n", "a:\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(1, 150))],
)
def test_deep_block_nesting_is_refused_with_a_position(text: str) -> None:
    sink = DiagnosticSink()
    assert parse_text(text, "f.yaml", sink) == []
    (error,) = sink.errors
    assert error.code == "OBSC002" and error.location.line > 0, error.render()


def test_real_specs_stay_on_the_cheap_path() -> None:
    """The example estate never pays for the exact nesting check (bench: +16 ms of 3 s)."""
    for path in sorted((ROOT / "specs").rglob("*.yaml")):
        assert nesting_bound(path.read_text(encoding="utf-8")) <= _SAFE_NESTING_BOUND, path


def test_large_document_without_aliases_is_not_called_an_alias_bomb() -> None:
    sink = DiagnosticSink()
    parse_text("".join(f"k{i}: {i}\n" for i in range(60_000)), "big.yaml", sink)
    (error,) = sink.errors
    assert error.code == "OBSC004"
    assert "alias" not in error.render() and "more than 50000 nodes" in error.message


def test_alias_expansion_is_still_called_an_alias_bomb() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 7)]
    sink = DiagnosticSink()
    parse_text("\n".join(lines) + "\n", "bomb.yaml", sink)
    (error,) = sink.errors
    assert error.code == "OBSC004" and "anchors and aliases" in error.message
