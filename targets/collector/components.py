"""Every component type the collector target can emit, and the Go module that provides it.

scripts/otelcol-builder.yaml builds the collector the tests run from exactly these modules
(plus the `file` exporter the tests swap in); tests keep the two in step, and check the
types against what the built collector reports (`otelcol-obsc components`), because
releases rename types (`k8sattributes` became `k8s_attributes`, `spanmetrics`
`span_metrics`) and an old alias only logs a warning.
"""

from __future__ import annotations

CORE = "go.opentelemetry.io/collector"
CONTRIB = "github.com/open-telemetry/opentelemetry-collector-contrib"

COMPONENTS: dict[str, dict[str, str]] = {
    "receivers": {
        "otlp": f"{CORE}/receiver/otlpreceiver",
        "file_log": f"{CONTRIB}/receiver/filelogreceiver",
        "prometheus": f"{CONTRIB}/receiver/prometheusreceiver",
    },
    "processors": {
        "memory_limiter": f"{CORE}/processor/memorylimiterprocessor",
        "resource": f"{CONTRIB}/processor/resourceprocessor",
        "transform": f"{CONTRIB}/processor/transformprocessor",
        "filter": f"{CONTRIB}/processor/filterprocessor",
        "probabilistic_sampler": f"{CONTRIB}/processor/probabilisticsamplerprocessor",
        "k8s_attributes": f"{CONTRIB}/processor/k8sattributesprocessor",
    },
    "connectors": {
        "forward": f"{CORE}/connector/forwardconnector",
        "span_metrics": f"{CONTRIB}/connector/spanmetricsconnector",
    },
    "exporters": {
        "otlp_grpc": f"{CORE}/exporter/otlpexporter",
        "otlp_http": f"{CORE}/exporter/otlphttpexporter",
        "prometheus_remote_write": f"{CONTRIB}/exporter/prometheusremotewriteexporter",
        "file": f"{CONTRIB}/exporter/fileexporter",
    },
    "extensions": {
        "health_check": f"{CONTRIB}/extension/healthcheckextension",
    },
}
