"""`provisioning/datasources/datasources.yaml`: Prometheus, Loki, Tempo and Alertmanager.

The datasources link to one another by uid (docs/contracts.md): Prometheus exemplars and
Loki's trace ids open Tempo; Tempo spans open their logs in Loki and their metrics, and the
service map, in Prometheus. jsonData keys are those of Grafana 12.1's provisioning docs.

Grafana expands `$VAR` and `${VAR}` from the environment in provisioning files, so every `$`
that Grafana itself should see (data-link macros such as `${__value.raw}`) is written `$$`.
"""

from __future__ import annotations

from typing import Any

from compiler.model import EnvironmentModel
from targets.grafana.names import ALERTMANAGER, LOKI, PROMETHEUS, TEMPO

Datasource = dict[str, Any]

#: The exemplar label and the structured-metadata key that carry a trace id (OpenTelemetry).
TRACE_ID = "trace_id"
#: A trace id written into the log line itself: `trace_id=...` (logfmt) or `"trace_id":"..."`.
TRACE_ID_IN_LINE = r'trace_id"?[=:]\s*"?(\w+)'
#: Tempo's span search window around a span, for the logs and metrics of that span.
SPAN_START_SHIFT = "-5m"
SPAN_END_SHIFT = "5m"


def _datasource(name: str, kind: str, uid: str, url: str, json_data: dict[str, Any]) -> Datasource:
    return {
        "name": name,
        "type": kind,
        "uid": uid,
        "access": "proxy",
        "url": url,
        "isDefault": uid == PROMETHEUS,
        "editable": False,
        "jsonData": json_data,
    }


def prometheus(model: EnvironmentModel) -> Datasource:
    """Prometheus, the default datasource; exemplars carrying `trace_id` open Tempo."""
    return _datasource(
        "Prometheus",
        "prometheus",
        PROMETHEUS,
        "http://prometheus:9090",
        {
            "httpMethod": "POST",
            "prometheusType": "Prometheus",
            "prometheusVersion": model.stack.prometheus.version,
            "exemplarTraceIdDestinations": [
                {"name": TRACE_ID, "datasourceUid": TEMPO, "urlDisplayLabel": "View trace"}
            ],
        },
    )


def loki() -> Datasource:
    """Loki; a trace id in structured metadata (OTLP logs) or in the line links to Tempo."""
    link = {"datasourceUid": TEMPO, "url": "$${__value.raw}", "urlDisplayLabel": "View trace"}
    return _datasource(
        "Loki",
        "loki",
        LOKI,
        "http://loki:3100",
        {
            "derivedFields": [
                {"name": "TraceID", "matcherType": "label", "matcherRegex": TRACE_ID, **link},
                {
                    "name": "TraceID (log line)",
                    "matcherType": "regex",
                    "matcherRegex": TRACE_ID_IN_LINE,
                    **link,
                },
            ],
        },
    )


def tempo() -> Datasource:
    """Tempo: traces to logs (Loki), traces to metrics and the service map (Prometheus)."""
    return _datasource(
        "Tempo",
        "tempo",
        TEMPO,
        "http://tempo:3200",
        {
            "tracesToLogsV2": {
                "datasourceUid": LOKI,
                "spanStartTimeShift": SPAN_START_SHIFT,
                "spanEndTimeShift": SPAN_END_SHIFT,
                "tags": [{"key": "service.name", "value": "service_name"}],
                "filterByTraceID": True,
                "filterBySpanID": False,
                "customQuery": False,
            },
            "tracesToMetrics": {
                "datasourceUid": PROMETHEUS,
                "spanStartTimeShift": SPAN_START_SHIFT,
                "spanEndTimeShift": SPAN_END_SHIFT,
                "tags": [{"key": "service.name", "value": "service"}],
                "queries": [
                    {
                        "name": "SLO error ratio (5m)",
                        "query": "max by (slo) (slo:sli_error:ratio_rate5m{$$__tags})",
                    },
                    {
                        "name": "SLO burn rate (5m)",
                        "query": "max by (slo) (slo:current_burn_rate:ratio{$$__tags})",
                    },
                ],
            },
            "serviceMap": {"datasourceUid": PROMETHEUS},
            "nodeGraph": {"enabled": True},
            "search": {"hide": False},
        },
    )


def alertmanager() -> Datasource:
    """Alertmanager (Prometheus implementation), for viewing alerts and silences in Grafana."""
    return _datasource(
        "Alertmanager",
        "alertmanager",
        ALERTMANAGER,
        "http://alertmanager:9093",
        {"implementation": "prometheus", "handleGrafanaManagedAlerts": False},
    )


def datasources_document(model: EnvironmentModel) -> dict[str, Any]:
    """The whole provisioning file."""
    return {
        "apiVersion": 1,
        "datasources": [prometheus(model), loki(), tempo(), alertmanager()],
    }
