"""Loopback HTTP servers that answer like the stack's APIs, for `obsc verify` tests.

These are test doubles of upstream HTTP APIs, shaped after their documentation and
sources: Prometheus' HTTP API (/api/v1/query, /rules, /status/flags, /status/buildinfo),
Alertmanager's /api/v2/status, Loki's /loki/api/v1/query_range, /status/buildinfo and
the ruler's /prometheus/api/v1/rules, Tempo's /api/search, /api/traces/<id> and
/api/status/buildinfo, Grafana's /api/health, /api/dashboards/uid/<uid> and
/api/datasources/uid/<uid>, and the collector's OTLP/HTTP /v1/{logs,traces,metrics}.
The live end-to-end test runs the real programs.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")


@dataclass
class Reply:
    """An HTTP answer: JSON (anything not bytes/str is dumped), text or raw bytes."""

    body: Any = None
    status: int = 200
    delay: float = 0.0


Handler = Callable[[str, dict[str, str], bytes], Reply]


@dataclass
class FakeServer:
    """A threaded loopback HTTP server; `routes` maps a path (or a prefix ending in '*')."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def handle(self, method: str, target: str, body: bytes, headers: dict[str, str]) -> Reply:
        parsed = urllib.parse.urlsplit(target)
        params = dict(urllib.parse.parse_qsl(parsed.query))
        self.requests.append((method, parsed.path, params, headers))
        handler = self.routes.get(parsed.path)
        if handler is None:
            for pattern, candidate in self.routes.items():
                if pattern.endswith("*") and parsed.path.startswith(pattern[:-1]):
                    handler = candidate
                    break
        if handler is None:
            return Reply("404 page not found\n", 404)
        return handler(parsed.path, params, body)


@contextmanager
def serving(fake: FakeServer) -> Iterator[FakeServer]:
    """Run `fake` on 127.0.0.1 and a free port until the block ends."""

    class _Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            reply = fake.handle(method, self.path, body, dict(self.headers.items()))
            if reply.delay:
                time.sleep(reply.delay)
            if isinstance(reply.body, bytes):
                data, kind = reply.body, "application/octet-stream"
            elif isinstance(reply.body, str):
                data, kind = reply.body.encode(), "text/plain; charset=utf-8"
            else:
                data, kind = json.dumps(reply.body).encode(), "application/json"
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def prom_success(data: Any) -> dict[str, Any]:
    """Prometheus' envelope."""
    return {"status": "success", "data": data}


def vector(samples: list[tuple[dict[str, str], float | str]]) -> dict[str, Any]:
    """A /api/v1/query answer with a vector result (values as Prometheus writes them)."""
    now = round(time.time(), 3)
    result = [
        {"metric": labels, "value": [now, value if isinstance(value, str) else f"{value:g}"]}
        for labels, value in samples
    ]
    return prom_success({"resultType": "vector", "result": result})


def rule_groups_of(files: list[Path]) -> list[dict[str, Any]]:
    """The groups of rendered rule files as /api/v1/rules lists them once loaded."""
    groups = []
    for path in files:
        data = YAML(typ="safe").load(path.read_bytes()) or {}
        for group in data.get("groups") or ():
            rules = [
                {
                    "name": rule.get("record") or rule.get("alert"),
                    "query": rule["expr"],
                    "labels": rule.get("labels") or {},
                    "health": "ok",
                    "evaluationTime": 0.0001,
                    "lastEvaluation": "2026-12-07T02:00:00Z",
                    "type": "recording" if "record" in rule else "alerting",
                }
                for rule in group.get("rules") or ()
            ]
            groups.append(
                {
                    "name": group["name"],
                    "file": f"/etc/prometheus/rules/{path.name}",
                    "rules": rules,
                    "interval": 15,
                    "limit": 0,
                    "evaluationTime": 0.001,
                    "lastEvaluation": "2026-12-07T02:00:00Z",
                }
            )
    return groups
