"""The progress line: drawn on a terminal (a pseudo-terminal here), absent otherwise."""

from __future__ import annotations

import io
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

from compiler.cli.progress import ProgressReporter
from tests.conftest import FIXTURES, ROOT

COMPOSE = "services:\n" + "".join(
    f"  db{i}:\n    image: postgres:16\n  cache{i}:\n    image: redis:7\n" for i in range(3)
)
COLOUR = b"\x1b[1;36m"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _in_pty(args: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Run obsc with stdin, stdout and stderr on a pseudo-terminal; everything it wrote."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "compiler.cli", *args],
        stdin=child, stdout=child, stderr=child, env=env, cwd=ROOT,
    )  # fmt: skip
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    return proc.wait(timeout=120), b"".join(chunks)


def _compose(tmp_path: Path) -> Path:
    path = tmp_path / "compose.yaml"
    path.write_text(COMPOSE)
    return path


def test_detect_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    code, output = _in_pty(["detect", "--compose", str(_compose(tmp_path))], _env())
    assert code == 0, output
    assert b"detect " + COLOUR + b"6/6 (100%)\x1b[0m " in output
    assert output.count(b"\r\x1b[K") >= 2  # drawn, then cleared before the results
    assert b"db0: postgres" in output


def test_no_colour_with_no_color(tmp_path: Path) -> None:
    code, output = _in_pty(["detect", "--compose", str(_compose(tmp_path))], _env(NO_COLOR="1"))
    assert code == 0, output
    assert b"detect 6/6 (100%) " in output
    assert COLOUR not in output


def test_nothing_under_quiet(tmp_path: Path) -> None:
    code, output = _in_pty(["-q", "detect", "--compose", str(_compose(tmp_path))], _env())
    assert code == 0, output
    assert b"6/6" not in output and b"\x1b[" not in output


def test_nothing_without_a_terminal(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "compiler.cli", "detect", "--compose", str(_compose(tmp_path))],
        capture_output=True, env=_env(), cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert b"6/6" not in done.stderr and b"\x1b[" not in done.stderr + done.stdout
    assert b"db0: postgres" in done.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_redraws_are_throttled_and_the_last_unit_always_drawn() -> None:
    stream = _Terminal()
    reporter = ProgressReporter("render", stream, enabled=True, color=False)
    for done in range(1, 1001):
        reporter.on_unit_done(done, 1000, f"prod/alerts#{done}")
    assert stream.getvalue().count("\r\x1b[K") < 50
    assert stream.getvalue().endswith("render 1000/1000 (100%) prod/alerts#1000")
    reporter.finish()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_render_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "minimal", repo)
    args = ["--repo", str(repo), "render", "--no-policies"]
    code, output = _in_pty(args, _env(OBSC_CACHE_DIR=str(tmp_path / "cache")))
    assert code == 0, output
    assert re.search(rb"render \x1b\[1;36m(\d+)/\1 \(100%\)\x1b\[0m \w+/\w+", output), output
    piped = subprocess.run(
        [sys.executable, "-m", "compiler.cli", *args, "--out", str(tmp_path / "again")],
        capture_output=True, env=_env(OBSC_CACHE_DIR=str(tmp_path / "cache")), cwd=ROOT,
        timeout=120, check=False,
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert b"\x1b[" not in piped.stderr and b"(100%)" not in piped.stderr


def test_diff_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "minimal", repo)
    env = _env(OBSC_CACHE_DIR=str(tmp_path / "cache"))
    code, output = _in_pty(["--repo", str(repo), "-q", "render", "--no-policies"], env)
    assert code == 0, output
    service = repo / "specs/services/api.yaml"
    service.write_text(service.read_text().replace("objective: 99.9\n", "objective: 99.95\n"))
    code, output = _in_pty(["--repo", str(repo), "diff"], env)
    assert code == 1, output  # something differs
    assert re.search(rb"diff \x1b\[1;36m(\d+)/\1 \(100%\)\x1b\[0m \w+/\w+", output), output
    assert b"objective: 99.9 \xe2\x86\x92 99.95" in output
