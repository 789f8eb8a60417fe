"""HTTP for the checks: stdlib urllib, a timeout on every request, errors naming the endpoint.

urllib is enough for a few dozen GETs and three POSTs per run, and adds no dependency.
Every failure becomes an `EndpointError` whose message names the URL and says what went
wrong in words (refused, not found, timed out, 401, 5xx, not JSON); `unreachable` marks
the failures where nothing answered at all, which the CLI reports as exit 4.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_BODY_EXCERPT = 160


class EndpointError(Exception):
    """A request failed; the message names the URL. `unreachable`: nothing answered."""

    def __init__(self, message: str, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer: status and body."""

    status: int
    body: bytes

    @property
    def text(self) -> str:
        """The body as text (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class Client:
    """Requests to one component's base URL with its auth headers and a timeout."""

    component: str
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 5.0

    def url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """The full URL of `path` (with a query string from `params`)."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{self.base_url.rstrip('/')}{path}{query}"

    def get(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        accept_status: tuple[int, ...] = (),
        accept: str = "application/json",
    ) -> Answer:
        """GET `path`; statuses in `accept_status` are returned instead of raised."""
        request = urllib.request.Request(self.url(path, params), headers={"Accept": accept})
        return self._send(request, accept_status)

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET `path` and parse the answer as JSON."""
        return parse_json(self.get(path, params), self.url(path, params))

    def post_json(self, path: str, document: Any) -> Answer:
        """POST a JSON document to `path`."""
        request = urllib.request.Request(
            self.url(path),
            data=json.dumps(document).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        return self._send(request, ())

    def _send(self, request: urllib.request.Request, accept_status: tuple[int, ...]) -> Answer:
        for name, value in self.headers.items():
            request.add_header(name, value)
        where = request.full_url
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Answer(response.status, response.read())
        except urllib.error.HTTPError as exc:
            body = exc.read() if exc.fp is not None else b""
            if exc.code in accept_status:
                return Answer(exc.code, body)
            raise EndpointError(f"{where}: {_status_message(exc.code, body)}") from None
        except urllib.error.URLError as exc:
            raise EndpointError(f"{where}: {_reason(exc.reason, self.timeout)}", True) from None
        except TimeoutError:
            raise EndpointError(f"{where}: no answer within {self.timeout:g} s", True) from None
        except (ConnectionError, OSError) as exc:
            raise EndpointError(f"{where}: {_reason(exc, self.timeout)}", True) from None


def parse_json(answer: Answer, where: str) -> Any:
    """The answer's JSON, or an EndpointError saying the answer was not JSON."""
    try:
        return json.loads(answer.body)
    except ValueError:
        raise EndpointError(
            f"{where}: malformed answer: expected JSON, got {_excerpt(answer.body)!r}"
        ) from None


def _status_message(status: int, body: bytes) -> str:
    if status in (401, 403):
        word = "Unauthorized" if status == 401 else "Forbidden"
        return (
            f"HTTP {status} {word}: check the credentials (the endpoint's auth in the "
            "Project's environments[].endpoints, or its environment variable or file)"
        )
    if status == 404:
        return f"HTTP 404 Not Found: is this the right URL and component? {_excerpt(body)!r}"
    if status >= 500:
        return f"HTTP {status}: the server failed: {_excerpt(body)!r}"
    return f"HTTP {status}: {_excerpt(body)!r}"


def _reason(reason: object, timeout: float) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (nothing listens there)"
    if isinstance(reason, socket.gaierror):
        return f"host not found ({reason.strerror})"
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"no answer within {timeout:g} s"
    if isinstance(reason, OSError) and reason.strerror:
        return f"cannot connect: {reason.strerror}"
    return f"cannot connect: {reason}"


def _excerpt(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    return text if len(text) <= _BODY_EXCERPT else text[:_BODY_EXCERPT] + "..."
