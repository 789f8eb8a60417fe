"""Run the `cue` CLI and parse its error output into structured records."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from compiler.errors import ToolError

CUE_TIMEOUT_SECONDS = 300
_POSITION = re.compile(r"^\s+(.+):(\d+):(\d+)$")
_PATH_SEGMENT = r'(?:"(?:[^"\\]|\\.)*"|[#\w$-]+)'
_HEADER = re.compile(rf"^({_PATH_SEGMENT}(?:\.{_PATH_SEGMENT})*): (.*?):?$")
# Go's collector settings for cue, unless the user set their own: cue's heap is nearly all
# live until it exits, so the default (collect whenever the heap doubles) spent ~40% of its
# CPU collecting for ~15% less peak memory. A soft limit of a share of the machine's memory
# makes it collect again should a model be far larger than expected.
_GO_GC_VARIABLES = ("GOGC", "GOMEMLIMIT")
_MEMORY_SHARE = 4  # GOMEMLIMIT: a quarter of the physical memory per cue process
# cue messages that blame the policy, not the model: a constraint on a field that the
# closed model definitions do not have, or a reference to one
POLICY_FAULTS = ("field not allowed", "undefined field")


@dataclass(frozen=True, slots=True)
class Position:
    """A file position cue reported, with the file as cue printed it."""

    file: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class CueError:
    """One error of `cue vet`: the value path (if any), the message and its positions."""

    path: tuple[str, ...]
    message: str
    positions: tuple[Position, ...]
    # the path's segments as cue printed them (quoted where cue quotes): cue orders by these
    raw_path: tuple[str, ...] = ()


def find_cue() -> str | None:
    """The cue binary: $OBSC_CUE, `cue` on PATH, or the newest one the tool harness cached."""
    explicit = os.environ.get("OBSC_CUE")
    if explicit:
        return explicit
    on_path = shutil.which("cue")
    if on_path:
        return on_path
    cache = Path(os.environ.get("OBSC_TOOLS_DIR", Path.home() / ".cache" / "obsc-tools"))
    cached = sorted(cache.glob("cue-*/bin/cue"), key=_version_key) if cache.is_dir() else []
    return str(cached[-1]) if cached else None


def _version_key(path: Path) -> tuple[int, ...]:
    """Order cue-v0.9.0 before cue-v0.17.1."""
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.parent.name))


def unquote(segment: str) -> str:
    """A path segment as a label: without the quotes cue prints around some."""
    return segment[1:-1] if segment.startswith('"') else segment


def parse_errors(output: str) -> list[CueError]:
    """Group cue's output into errors: a header line followed by indented positions."""
    return merge_disjunctions(parse_raw(output))


def parse_raw(output: str) -> list[CueError]:
    """The errors cue printed, in its order, the branches of a disjunction not yet folded."""
    errors: list[CueError] = []
    header: str | None = None
    positions: list[Position] = []

    def flush() -> None:
        if header is None:
            return
        match = _HEADER.match(header)
        if match and not header.startswith(("expected ", "reference ")):
            raw = tuple(re.findall(_PATH_SEGMENT, match.group(1)))
            path = tuple(unquote(part) for part in raw)
            errors.append(CueError(path, match.group(2), tuple(positions), raw))
        else:
            errors.append(CueError((), header.rstrip(":"), tuple(positions)))

    for line in output.splitlines():
        position = _POSITION.match(line)
        if position:
            positions.append(
                Position(position.group(1), int(position.group(2)), int(position.group(3)))
            )
        elif line.strip():
            flush()
            header, positions = line, []
    flush()
    return errors


_DISJUNCTION = re.compile(r"^\d+ errors in empty disjunction$")
_NO_MATCH = "no allowed value matches"


def merge_disjunctions(errors: list[CueError]) -> list[CueError]:
    """Fold cue's 'N errors in empty disjunction' and its branch errors into one error."""
    merged: list[CueError] = []
    for error in errors:
        previous = merged[-1] if merged else None
        if _DISJUNCTION.match(error.message):
            merged.append(CueError(error.path, _NO_MATCH, error.positions, error.raw_path))
        elif previous and previous.path == error.path and previous.message.startswith(_NO_MATCH):
            separator = ": " if previous.message == _NO_MATCH else "; "
            merged[-1] = CueError(
                error.path,
                previous.message + separator + error.message,
                previous.positions + error.positions,
                error.raw_path,
            )
        else:
            merged.append(error)
    return merged


def run_vet(cue: str, files: list[str], cwd: Path) -> tuple[int, str]:
    """Run `cue vet -c -E FILES` in `cwd`; returns its exit code and error output.

    PWD is set to `cwd`, so that cue prints positions relative to exactly that directory
    (Go's working directory is $PWD when $PWD names it, whatever symbolic links it takes).
    cue writes into unnamed files, not pipes: this may run in a thread while another forks
    (compiler.policies.chunked), and a forked child would hold a pipe's write end open.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        try:
            done = subprocess.run(
                [cue, "vet", "-c", "-E", *files],
                cwd=cwd,
                env={**os.environ, **go_collector(), "PWD": str(cwd)},
                stdout=out,
                stderr=err,
                timeout=CUE_TIMEOUT_SECONDS,
                check=False,
            )
        except OSError as exc:
            raise ToolError(f"cannot run cue at {cue}: {exc.strerror}") from None
        except subprocess.TimeoutExpired:
            raise ToolError(f"cue vet took longer than {CUE_TIMEOUT_SECONDS} s") from None
        out.seek(0)
        err.seek(0)
        return done.returncode, err.read() + out.read()


def go_collector() -> dict[str, str]:
    """The Go collector's settings for a cue process (none if the user set either)."""
    if any(name in os.environ for name in _GO_GC_VARIABLES):
        return {}
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return {}
    return {"GOGC": "off", "GOMEMLIMIT": str(memory // _MEMORY_SHARE)}
