"""A real server binary on loopback for the duration of a test (Prometheus, Loki)."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def running_binary(
    command: Sequence[str], log: Path, ready_url: str, limit: float, poll: float
) -> Iterator[None]:
    """Run `command` (stderr to `log`) until `ready_url` answers 2xx; stop it afterwards.

    Not ready within `limit` seconds, or exited: an AssertionError with the log's tail.
    """
    process = subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        deadline = time.monotonic() + limit
        while True:
            try:
                urllib.request.urlopen(ready_url, timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(log.read_text()[-2000:]) from None
                time.sleep(poll)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)
