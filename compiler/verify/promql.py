"""Instant PromQL queries (Prometheus' /api/v1/query), answers checked for their shape."""

from __future__ import annotations

import math
from typing import Any

from compiler.output.query_strings import string_literal
from compiler.verify.http import Client, EndpointError

Sample = tuple[dict[str, str], float]


def instant_query(client: Client, query: str) -> list[Sample]:
    """The vector a query returns now: (labels, value) per series; NaN stays NaN."""
    path = "/api/v1/query"
    data = client.get_json(path, {"query": query})
    result = _data(data, client.url(path)).get("result")
    if not isinstance(result, list):
        raise EndpointError(f"{client.url(path)}: malformed answer: no result list")
    return [_sample(item, client.url(path)) for item in result]


def _data(answer: Any, where: str) -> dict[str, Any]:
    if not isinstance(answer, dict) or answer.get("status") != "success":
        error = answer.get("error") if isinstance(answer, dict) else None
        raise EndpointError(f"{where}: query failed: {error or 'malformed answer'}")
    data = answer.get("data")
    if not isinstance(data, dict):
        raise EndpointError(f"{where}: malformed answer: no data object")
    return data


def _sample(item: Any, where: str) -> Sample:
    try:
        labels = {str(k): str(v) for k, v in item["metric"].items()}
        return labels, float(item["value"][1])
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        raise EndpointError(f"{where}: malformed answer: a sample is not [time, value]") from None


def selector(labels: tuple[tuple[str, str], ...] | dict[str, str]) -> str:
    """`{k="v", ...}` with values escaped as PromQL strings."""
    pairs = labels.items() if isinstance(labels, dict) else labels
    return "{" + ", ".join(f"{k}={string_literal(v)}" for k, v in pairs) + "}"


def is_number(value: float) -> bool:
    """Not NaN and not infinite."""
    return not (math.isnan(value) or math.isinf(value))


def status_data(client: Client, path: str) -> dict[str, Any]:
    """The `data` object of a Prometheus-style JSON answer ({"status": "success", ...})."""
    return _data(client.get_json(path), client.url(path))
