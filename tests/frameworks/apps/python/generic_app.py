# mypy: ignore-errors
# (an app of the SLI-truth test: it runs in the apps' own virtualenv, not obsc's)
"""A service obsc knows only as `generic`: a bare WSGI app, measured by the OpenTelemetry SDK.

No framework turns its exception into a response: /raise raises through the WSGI
instrumentation, which records the request with `error.type` and no status code, and the
standard library's server answers 500. The SDK is configured by `opentelemetry-instrument`
from the OTEL_* environment obsc renders. Usage: opentelemetry-instrument python
generic_app.py PORT.
"""

import sys
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/raise":
        raise RuntimeError("boom")
    if path == "/slow":
        time.sleep(0.7)
    status = "500 Internal Server Error" if path == "/fail" else "200 OK"
    start_response(status, [("Content-Type", "text/plain")])
    return [path.encode()]


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # the test reads the status codes, not the log
        return None


if __name__ == "__main__":
    server = make_server(
        "127.0.0.1",
        int(sys.argv[1]),
        OpenTelemetryMiddleware(app),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    server.serve_forever()
