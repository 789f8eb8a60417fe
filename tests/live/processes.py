"""Native processes for the live run: started in their own process groups, always stopped.

Every process gets its own session (so its children go with it), its output in a log file,
and is stopped with SIGTERM to the whole group, then SIGKILL after a grace period. Waits
are bounded by a per-wait limit and by the run's overall deadline, whichever comes first.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class Deadline:
    """The run's hard time limit; every wait is capped by what is left of it."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wait_for(
        self, what: str, probe: Callable[[], T | None], limit: float, every: float = 0.5
    ) -> T:
        """Poll `probe` until it returns something truthy; AssertionError naming `what`
        (and the last error) once `limit` seconds or the deadline are up."""
        end = time.monotonic() + min(limit, max(self.left(), 0.0))
        last: str = ""
        while True:
            try:
                value = probe()
                if value:
                    return value
            except (OSError, ValueError, KeyError) as exc:
                last = f" (last error: {type(exc).__name__}: {exc})"
            if time.monotonic() >= end:
                raise AssertionError(
                    f"timed out after {min(limit, self.seconds):g} s waiting for {what}{last}"
                )
            time.sleep(every)


def get(url: str, params: Mapping[str, str] | None = None, timeout: float = 5) -> bytes:
    """The body of a GET (HTTPError on a non-2xx status)."""
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(url + query, timeout=timeout) as response:
        body: bytes = response.read()
        return body


def get_json(url: str, params: Mapping[str, str] | None = None) -> Any:
    return json.loads(get(url, params))


def post_json(url: str, document: Any, timeout: float = 10) -> int:
    """POST `document` as JSON; the response's status (HTTPError on a non-2xx status)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        status: int = response.status
        return status


def ready(url: str) -> bool:
    """The URL answers 2xx."""
    try:
        get(url, timeout=2)
        return True
    except (OSError, urllib.error.HTTPError):
        return False


@dataclass
class Process:
    """One started program."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, size: int = 3000) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text[-size:]


class Processes:
    """The programs of one run, by name; `stop_all` stops whatever is still running."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, Process] = {}

    def start(
        self,
        name: str,
        argv: Sequence[str | Path],
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Process:
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [str(a) for a in argv],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                cwd=cwd,
                start_new_session=True,  # its own process group, stopped as one
            )
        process = Process(name, popen, log)
        self.running[name] = process
        return process

    def wait_ready(self, name: str, url: str, deadline: Deadline, limit: float) -> None:
        """Wait until `url` answers 2xx; fail with the process's log if it exits first."""
        process = self.running[name]

        def probe() -> bool:
            if not process.alive():
                raise AssertionError(
                    f"{name} exited with {process.popen.returncode}:\n{process.tail()}"
                )
            return ready(url)

        try:
            deadline.wait_for(f"{name} at {url}", probe, limit)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- {name} log:\n{process.tail()}") from None

    def stop(self, name: str, grace: float = 10) -> None:
        """SIGTERM to the process group, SIGKILL after `grace` seconds; reaped either way."""
        process = self.running.pop(name, None)
        if process is None:
            return
        popen = process.popen
        if popen.poll() is None:
            _signal_group(popen.pid, signal.SIGTERM)
            try:
                popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(popen.pid, signal.SIGKILL)
                popen.wait(timeout=10)
        # Children that outlived their leader (none expected) go too.
        _signal_group(popen.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        """Stop every process, the most recently started first."""
        for name in reversed(list(self.running)):
            self.stop(name)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)
