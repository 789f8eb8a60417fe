"""The machine refusing a write or read is exit 4 with the path and the OS error (issue 23,
finding 7), never exit 70's "this is a bug"; rendered/ stays as it was; messages cannot be
forged by control characters in the input.

Real conditions where this machine allows them: a 256 KiB tmpfs filled up (ENOSPC), the
same remounted read-only (EROFS), `chattr +i` (EPERM), /dev/full as standard output. Those
need root (mount, chattr) and are skipped without it; an in-process variant that makes
os.write fail with ENOSPC always runs.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler.errors import escape_text
from tests.conftest import ROOT, ObscRunner, Run, tree_bytes

HINT = "hint: obsc could not read or write this path"


def _obsc(*args: str | Path, stdout: int | None = None) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "compiler.cli", *map(str, args)],
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    return Run(done.returncode, done.stdout or "", done.stderr)


def _assert_environment_failure(result: Run, *texts: str) -> None:
    assert result.code == 4, (result.code, result.err)
    assert "Traceback" not in result.err and "bug in obsc" not in result.err, result.err
    for text in texts:
        assert text in result.err, result.err


def _stale(obsc: ObscRunner, repo: Path) -> dict[str, bytes]:
    """Render, then make rendered/ differ from the specs so that the next render writes."""
    assert obsc("--repo", repo, "render").code == 0
    (repo / "rendered" / "dev" / "model" / "model.json").unlink()
    return tree_bytes(repo / "rendered")


def _no_leftovers(repo: Path) -> None:
    assert not [p.name for p in repo.iterdir() if p.name.startswith(".rendered.")]


def test_rendered_being_a_file(obsc: ObscRunner, minimal_repo: Path) -> None:
    (minimal_repo / "rendered").write_text("not a tree\n", encoding="utf-8")
    result = obsc("--repo", minimal_repo, "render")
    _assert_environment_failure(result, "rendered is not a directory")
    assert (minimal_repo / "rendered").read_text(encoding="utf-8") == "not a tree\n"


def test_manifest_being_a_directory(obsc: ObscRunner, minimal_repo: Path) -> None:
    before = _stale(obsc, minimal_repo)
    (minimal_repo / "rendered" / "manifest.json").unlink()
    del before["manifest.json"]
    (minimal_repo / "rendered" / "manifest.json").mkdir()
    result = obsc("--repo", minimal_repo, "render")
    _assert_environment_failure(result, "rendered/manifest.json: Is a directory", HINT)
    assert tree_bytes(minimal_repo / "rendered") == before
    _no_leftovers(minimal_repo)


def test_symlinked_rendered_is_refused_not_replaced(obsc: ObscRunner, minimal_repo: Path) -> None:
    before = _stale(obsc, minimal_repo)
    (minimal_repo / "rendered").rename(minimal_repo / "elsewhere")
    (minimal_repo / "rendered").symlink_to("elsewhere")
    result = obsc("--repo", minimal_repo, "render")
    _assert_environment_failure(result, "rendered is a symlink (to elsewhere)")
    assert (minimal_repo / "rendered").is_symlink()
    assert tree_bytes(minimal_repo / "elsewhere") == before
    _no_leftovers(minimal_repo)


def test_out_dot_is_refused_as_usage(obsc: ObscRunner, minimal_repo: Path) -> None:
    os.chdir(minimal_repo)
    result = obsc("--repo", minimal_repo, "render", "--out", ".")
    assert result.code == 2, result.err
    assert "refusing to render into a directory that is not empty" in result.err


@pytest.mark.parametrize("args", [("validate",), ("--output", "json", "validate")])
def test_stdout_on_dev_full(minimal_repo: Path, args: tuple[str, ...]) -> None:
    with Path("/dev/full").open("w") as full:
        result = _obsc("--repo", minimal_repo, *args, stdout=full.fileno())
    _assert_environment_failure(
        result, "obsc: cannot write to standard output: No space left on device"
    )
    assert "Exception ignored" not in result.err


def test_init_into_dev_null(obsc: ObscRunner) -> None:
    result = obsc("init", "/dev/null", "--obsc-from", "git+https://git.example.com/obsc@v0.1.0")
    _assert_environment_failure(result, "obsc: /dev/null/", ": Not a directory", HINT)


def test_disk_full_in_process(
    obsc: ObscRunner, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """os.write fails with ENOSPC (as on a full disk): the staging file is named."""
    before = _stale(obsc, minimal_repo)

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    result = obsc("--repo", minimal_repo, "render")
    _assert_environment_failure(result, "No space left on device", "/model.json: ", HINT)
    assert "/.rendered.staging-" in result.err
    monkeypatch.undo()
    assert tree_bytes(minimal_repo / "rendered") == before
    _no_leftovers(minimal_repo)


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs (root only): a disk that can really fill up or turn read-only."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _repo_on(mount: Path, obsc: ObscRunner, minimal_repo: Path) -> tuple[Path, dict[str, bytes]]:
    repo = mount / "repo"
    shutil.copytree(minimal_repo, repo)
    return repo, _stale(obsc, repo)


def test_disk_really_full(obsc: ObscRunner, minimal_repo: Path, tiny_tmpfs: Path) -> None:
    repo, before = _repo_on(tiny_tmpfs, obsc, minimal_repo)
    with (tiny_tmpfs / "filler").open("wb", buffering=0) as filler:
        with pytest.raises(OSError) as full:
            while True:
                filler.write(b"\0" * 4096)
        assert full.value.errno == errno.ENOSPC
    result = obsc("--repo", repo, "render")
    _assert_environment_failure(result, "No space left on device", str(repo), HINT)
    (tiny_tmpfs / "filler").unlink()
    assert tree_bytes(repo / "rendered") == before
    _no_leftovers(repo)


def test_read_only_file_system(obsc: ObscRunner, minimal_repo: Path, tiny_tmpfs: Path) -> None:
    repo, before = _repo_on(tiny_tmpfs, obsc, minimal_repo)
    remount = ["mount", "-o", "remount,ro", str(tiny_tmpfs)]
    subprocess.run(remount, check=True)
    try:
        result = obsc("--repo", repo, "render")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tiny_tmpfs)], check=True)
    _assert_environment_failure(result, "Read-only file system", str(repo), HINT)
    assert tree_bytes(repo / "rendered") == before


def test_immutable_rendered_directory(obsc: ObscRunner, minimal_repo: Path) -> None:
    before = _stale(obsc, minimal_repo)
    rendered = minimal_repo / "rendered"
    if subprocess.run(["chattr", "+i", str(rendered)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not possible here (needs root and a file system with it)")
    try:
        result = obsc("--repo", minimal_repo, "render")
    finally:
        subprocess.run(["chattr", "-i", str(rendered)], check=True)
    _assert_environment_failure(result, "rendered: Operation not permitted", HINT)
    assert tree_bytes(rendered) == before
    _no_leftovers(minimal_repo)


def test_unreadable_spec_file_is_exit_4_at_line_1(
    obsc: ObscRunner, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OBSC006 at file:1:1 when the OS refuses to open a spec (as chmod 000 would)."""
    blocked = str(minimal_repo / "specs" / "services" / "api.yaml")
    real_open = os.open

    def refusing_open(path: str | os.PathLike[str], flags: int, *args: int, **kw: int) -> int:
        if os.fspath(path) == blocked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), blocked)
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", refusing_open)
    result = obsc("--repo", minimal_repo, "validate")
    _assert_environment_failure(
        result, "specs/services/api.yaml:1:1: error[OBSC006]: cannot read: Permission denied"
    )


def test_a_newline_in_a_key_cannot_forge_a_diagnostic(obsc: ObscRunner, minimal_repo: Path) -> None:
    spec = minimal_repo / "specs" / "services" / "api.yaml"
    forged = "specs/forged.yaml:9:9: error[OBSC999]: forged"
    with spec.open("a", encoding="utf-8") as handle:
        handle.write(f'  "x\\n{forged}": 1\n  "y\\u202e\\x1b[2J": 2\n')
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2, result.err
    lines = result.err.splitlines()
    assert not [line for line in lines if line.startswith("specs/forged.yaml")], result.err
    assert all(
        line.startswith(("specs/services/api.yaml:", "  hint: ", "obsc: ")) for line in lines
    ), result.err
    assert "services.api.x\\nspecs/forged.yaml" in result.err
    assert "\x1b" not in result.err and "\u202e" not in result.err
    assert "y\\u202e\\x1b[2J" in result.err


def test_escape_text_keeps_ordinary_text() -> None:
    ordinary = "café 漢字 sum(rate(x[5m])) \\d+ 'q'"
    assert escape_text(ordinary) == ordinary
    assert escape_text("a\nb\r\tc\x00\x7f\x85\u2028") == "a\\nb\\r\\tc\\x00\\x7f\\x85\\u2028"
