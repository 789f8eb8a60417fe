# mypy: ignore-errors
# (an app of the SLI-truth test: it runs in the apps' own virtualenv, not obsc's)
"""fastapi with prometheus-fastapi-instrumentator, as its README sets it up.

Usage: fastapi_app.py PORT.
"""

import sys
import time

import uvicorn
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from prometheus_fastapi_instrumentator import Instrumentator

app = FastAPI()


@app.get("/ok")
def ok() -> str:
    return "ok"


@app.get("/fail")
def fail() -> PlainTextResponse:
    return PlainTextResponse("failed", status_code=500)


@app.get("/raise")
def boom() -> str:
    raise RuntimeError("boom")


@app.get("/slow")
def slow() -> str:
    time.sleep(0.7)
    return "slow"


Instrumentator().instrument(app).expose(app)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="critical")
