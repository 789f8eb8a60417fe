"""The `obsc` program exits without freeing its heap, and loses nothing by it.

`compiler.cli.main.run` ends the process with `os._exit` after flushing (compiler.
gc_control): these tests run the real program in a child process and compare what it says
and returns with the in-process entry point, which exits as usual.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from compiler import gc_control
from tests.conftest import ObscRunner


def _program(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler.cli", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_program_says_and_returns_what_main_does(obsc: ObscRunner, example_repo: Path) -> None:
    for args in (
        ("--repo", example_repo, "validate"),
        ("--repo", example_repo, "render", "--check", "--no-policies"),
        ("--repo", example_repo, "explain", "checkout"),
        ("--repo", example_repo, "render", "--env", "nowhere", "--no-policies"),
    ):
        expected = obsc(*args)
        got = _program(*args)
        assert (got.returncode, got.stdout, got.stderr) == (
            expected.code,
            expected.out,
            expected.err,
        ), args
    assert _program("--repo", example_repo, "render", "--env", "nowhere").returncode == 2


def test_a_large_output_is_flushed_whole(obsc: ObscRunner, example_repo: Path) -> None:
    """Everything printed reaches the reader, though the process never runs its exit code."""
    spec = example_repo / "specs" / "services" / "catalog" / "product-api.yaml"
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 99.5"))
    got = _program("--repo", example_repo, "diff", "--format", "json")
    assert got.returncode == 1, got.stderr
    changes = json.loads(got.stdout)  # the whole document: a cut one does not parse
    assert len(changes) > 10
    assert got.stdout == obsc("--repo", example_repo, "diff", "--format", "json").out


def test_in_process_callers_keep_nothing_until_exit() -> None:
    """A test or a library user frees the estate as usual: keep_until_exit does nothing."""
    gc_control.keep_until_exit(object())
    assert gc_control._KEPT is None


def test_a_thread_still_working_is_waited_for(tmp_path: Path) -> None:
    """A thread still at work (a policy check cut short) ends before the process does."""
    done = tmp_path / "done"
    code = (
        "import threading, time\n"
        "from pathlib import Path\n"
        "from compiler import gc_control\n"
        "def work():\n"
        "    time.sleep(1.5)\n"
        f"    Path({str(done)!r}).write_text('cleaned up')\n"
        "threading.Thread(target=work).start()\n"
        "gc_control.exit_fast_requested()\n"
        "gc_control.exit_now(3)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 3, run.stderr
    assert done.read_text() == "cleaned up"


def test_what_is_still_buffered_is_flushed_before_the_process_ends() -> None:
    """Output written but not flushed (a pipe is block-buffered) is not lost by `os._exit`."""
    code = (
        "import sys\n"
        "from compiler import gc_control\n"
        "sys.stdout.write('x' * 1000 + 'end')\n"
        "sys.stderr.write('said')\n"
        "gc_control.exit_fast_requested()\n"
        "gc_control.exit_now(0)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stdout, run.stderr) == (0, "x" * 1000 + "end", "said")
