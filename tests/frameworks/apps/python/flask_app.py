# mypy: ignore-errors
# (an app of the SLI-truth test: it runs in the apps' own virtualenv, not obsc's)
"""flask with prometheus-flask-exporter, as its README sets it up. Usage: flask_app.py PORT."""

import sys

from flask import Flask
from flask_routes import add_routes
from prometheus_flask_exporter import PrometheusMetrics

app = add_routes(Flask(__name__))
PrometheusMetrics(app)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
