"""Requests to the live app from a background thread, with an adjustable share of failures."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request


class Traffic:
    """About `rate` requests per second to `url`; `fail_every = n` makes every n-th fail."""

    def __init__(self, url: str, rate: float = 20.0) -> None:
        self.url = url
        self.period = 1.0 / rate
        self.fail_every = 0
        self.sent = 0
        self.answered: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sent += 1
            fail = self.fail_every > 0 and self.sent % self.fail_every == 0
            try:
                with urllib.request.urlopen(f"{self.url}?fail={int(fail)}", timeout=2) as r:
                    status = r.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                status = 0  # the app is down (stopped on purpose in the last tests)
            self.answered[status] = self.answered.get(status, 0) + 1
            time.sleep(self.period)
