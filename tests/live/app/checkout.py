"""A small real Flask app playing the example estate's `checkout` (specs/services/payments).

Instrumented the way the framework database says for flask
(compiler/frameworks/data/flask.yaml): prometheus-flask-exporter serves `/metrics`
(`flask_http_request_total`, `flask_http_request_duration_seconds` with checkout's
`histogramBuckets`), and it runs under `opentelemetry-instrument` (opentelemetry-distro),
which sends its traces and logs by OTLP to the collector. It also counts
`payments_attempted_total` and `payments_succeeded_total`, the metrics of checkout's
`payments-succeed` SLO.

`GET /checkout?fail=1` answers 500 (a declined payment), anything else 200. Every request
logs one JSON line holding PII of the kinds checkout's `pii-strict` policy masks: an email
address, a card number (a valid Luhn one) and an order token.

Run from the repository root: `opentelemetry-instrument python -m tests.live.app.checkout PORT`.
"""

from __future__ import annotations

import json
import logging
import sys

from flask import Flask, request
from prometheus_client import Counter
from prometheus_flask_exporter import PrometheusMetrics  # type: ignore[import-untyped]

from tests.live.app.pii import CARD, EMAIL, ORDER_TOKEN

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5)  # checkout's metrics.histogramBuckets

app = Flask("checkout")
PrometheusMetrics(app, buckets=BUCKETS)
attempted = Counter("payments_attempted", "Payment attempts.")
succeeded = Counter("payments_succeeded", "Payments captured.")
log = logging.getLogger("checkout")


@app.get("/checkout")
def checkout() -> tuple[str, int]:
    """One payment attempt; `fail=1` declines it with a 500."""
    attempted.inc()
    record = {"customer": EMAIL, "card": CARD, "order": ORDER_TOKEN}
    if request.args.get("fail") == "1":
        log.error(json.dumps({"msg": "payment declined", **record}))
        return "payment declined\n", 500
    succeeded.inc()
    log.info(json.dumps({"msg": "payment captured", **record}))
    return "ok\n", 200


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
