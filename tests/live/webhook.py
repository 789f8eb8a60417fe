"""A loopback webhook standing in for the paging receivers: records what Alertmanager POSTs."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 keeping every JSON payload POSTed to it, in order."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.payloads.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: pytest shows the payloads on failure instead

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/alerts"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def received(self) -> list[dict[str, Any]]:
        """A copy of the payloads so far."""
        with self._lock:
            return list(self.payloads)

    def notifications(self, **labels: str) -> list[tuple[str, str, dict[str, str]]]:
        """(receiver, status, alert labels) of every notified alert whose labels match."""
        return [
            (payload["receiver"], alert["status"], alert["labels"])
            for payload in self.received()
            for alert in payload.get("alerts", [])
            if all(alert["labels"].get(k) == v for k, v in labels.items())
        ]
