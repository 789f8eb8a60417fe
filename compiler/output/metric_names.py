"""The platform an environment's telemetry takes, and the names metrics arrive under there.

One implementation for the resolver, which renders every metric name as it will be stored
(compiler/resolve/metric_names.py), and for the collector target, which decides from the
same platform whether it scrapes the services itself (targets/collector).

On the compose platform the collector's `prometheus` receiver scrapes the services and its
`prometheus_remote_write` exporter sends the series on; on Kubernetes Prometheus scrapes
them itself (PodMonitors) and the names are the exporter's own. The collector's round trip
is not the identity, and no setting of the pinned release (v0.159.0) makes it one for both
scraped and OTLP metrics (docs/contracts.md, "Metric names"), so obsc renders each name as
it arrives on the environment's path.

The conversion, as open-telemetry/opentelemetry-collector-contrib v0.159.0 and
prometheus/otlptranslator v1.0.0 (`normalizeName`, metric_namer.go) do it with the
exporter's default `add_metric_suffixes: true`: the name is cut into tokens at every
character other than a letter, digit or colon (so `__` and dots become `_`); a declared
unit (OpenMetrics `# UNIT`, an OTLP unit) the tokens lack is appended; a counter loses every
`total` token and gets one `_total` at the end (`django_http_responses_total_by_status_total`
arrives as `django_http_responses_by_status_total`, `jobs` as `jobs_total`); a histogram's
base name is converted and `_bucket`, `_count` and `_sum` appended again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

Platform = Literal["compose", "kubernetes"]
MetricKind = Literal["counter", "histogram"]

_TOKEN_SEPARATOR = re.compile(r"[^a-zA-Z0-9:]+")
_HISTOGRAM_SERIES = ("_bucket", "_count", "_sum")
# The unit words of OpenMetrics `# UNIT` lines (and OTLP units) the database's exporters
# could declare, as the name suffix appended (otlptranslator's unit map, seconds and bytes).
_UNIT_SUFFIX = {
    "seconds": "seconds",
    "s": "seconds",
    "milliseconds": "milliseconds",
    "ms": "milliseconds",
    "bytes": "bytes",
    "By": "bytes",
}


def platform_of(targets: Iterable[str]) -> Platform:
    """Kubernetes when the environment is deployed with helm or gitops, else compose."""
    return "kubernetes" if {"helm", "gitops"} & set(targets) else "compose"


def _tokens(name: str) -> list[str]:
    return [token for token in _TOKEN_SEPARATOR.split(name) if token]


def _with_unit(tokens: list[str], unit: str | None) -> list[str]:
    suffix = _UNIT_SUFFIX.get(unit or "")
    return [*tokens, suffix] if suffix and suffix not in tokens else tokens


def remote_written_name(name: str, kind: MetricKind, unit: str | None = None) -> str:
    """The name series `name` of a metric of `kind` has after the collector's remote write.

    For a histogram, `name` is one of its series (`<base>_bucket`, `_count`, `_sum`) or its
    base name; a counter's `name` is the series name (`..._total`).
    """
    if kind == "histogram":
        series = next((s for s in _HISTOGRAM_SERIES if name.endswith(s) and name != s), "")
        base = name[: len(name) - len(series)]
        return "_".join(_with_unit(_tokens(base), unit)) + series
    tokens = [token for token in _with_unit(_tokens(name), unit) if token != "total"]
    return "_".join([*tokens, "total"])
