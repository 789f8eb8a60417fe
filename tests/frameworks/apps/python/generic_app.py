# mypy: ignore-errors
# (an app of the SLI-truth test: it runs in the apps' own virtualenv, not obsc's)
"""A service obsc knows only as `generic`: flask, measured by the OpenTelemetry SDK alone.

The WSGI instrumentation wraps the app and records `http.server.request.duration`; the SDK
is configured by `opentelemetry-instrument` from the OTEL_* environment obsc renders.
Usage: opentelemetry-instrument python generic_app.py PORT.
"""

import sys

from flask import Flask
from flask_routes import add_routes
from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware

app = add_routes(Flask(__name__))
app.wsgi_app = OpenTelemetryMiddleware(app.wsgi_app)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
