# mypy: ignore-errors
# (an app of the SLI-truth test: it runs in the apps' own virtualenv, not obsc's)
"""The four endpoints of the flask-based apps: a success, a returned 500, a raised error,
and a success after 0.7 s."""

import time

from flask import Flask


def add_routes(app: Flask) -> Flask:
    @app.get("/ok")
    def ok() -> str:
        return "ok"

    @app.get("/fail")
    def fail() -> tuple[str, int]:
        return "failed", 500

    @app.get("/raise")
    def boom() -> str:
        raise RuntimeError("boom")

    @app.get("/slow")
    def slow() -> str:
        time.sleep(0.7)
        return "slow"

    return app
