"""Names the compose overlay agrees on with the other targets (docs/contracts.md).

Targets do not import each other, so the paths and names they share are repeated here and
a test checks that they match the targets that own them.
"""

from __future__ import annotations

from typing import Final

OVERLAY_FILE: Final = "obs-stack.yml"
LOKI_FILE: Final = "loki.yaml"
TEMPO_FILE: Final = "tempo.yaml"
PROMETHEUS_FILE: Final = "prometheus.yml"

#: Where `obsc render` writes, relative to the repository root.
RENDERED_DIR: Final = "rendered"
#: Where the user keeps the Alertmanager secrets and exporter settings, relative to the
#: compose project directory (the directory of the user's compose file): never committed.
SECRETS_DIR: Final = "obs-secrets"

# Service names of the stack: the collector config and Grafana's datasources use them.
COLLECTOR: Final = "otel-collector"
PROMETHEUS: Final = "prometheus"
ALERTMANAGER: Final = "alertmanager"
LOKI: Final = "loki"
TEMPO: Final = "tempo"
GRAFANA: Final = "grafana"

# Files of the consumed targets, relative to rendered/<env>/.
COLLECTOR_CONFIG: Final = "collector/config.yaml"
ALERTMANAGER_CONFIG: Final = "alerts/alertmanager.yaml"
ALERT_RULES_DIR: Final = "alerts/rules"
LOKI_RULES: Final = "alerts/loki/rules.yaml"
GRAFANA_PROVISIONING: Final = "grafana/provisioning"
GRAFANA_DASHBOARDS: Final = "grafana/dashboards"

# Where they are mounted in the containers.
ALERTMANAGER_SECRETS_MOUNT: Final = "/etc/alertmanager/secrets"
DASHBOARDS_MOUNT: Final = "/var/lib/grafana/dashboards"
PROMETHEUS_RULES_MOUNT: Final = "/etc/prometheus/rules"
#: Loki's ruler reads `<directory>/<tenant>/`; without auth the tenant is `fake`.
LOKI_RULES_MOUNT: Final = "/etc/loki/rules"
LOKI_TENANT: Final = "fake"

# Container ports.
COLLECTOR_OTLP_HTTP: Final = 4318
COLLECTOR_TELEMETRY: Final = 8888
PROMETHEUS_PORT: Final = 9090
ALERTMANAGER_PORT: Final = 9093
LOKI_PORT: Final = 3100
TEMPO_HTTP_PORT: Final = 3200
GRAFANA_PORT: Final = 3000

#: What each component publishes when the Project asks for a host port (`compose.ports`).
CONTAINER_PORTS: Final[dict[str, tuple[str, int]]] = {
    "collector": (COLLECTOR, COLLECTOR_OTLP_HTTP),
    "prometheus": (PROMETHEUS, PROMETHEUS_PORT),
    "alertmanager": (ALERTMANAGER, ALERTMANAGER_PORT),
    "loki": (LOKI, LOKI_PORT),
    "tempo": (TEMPO, TEMPO_HTTP_PORT),
    "grafana": (GRAFANA, GRAFANA_PORT),
}
#: Published unless the Project says otherwise: Grafana only.
DEFAULT_PORTS: Final[dict[str, int]] = {"grafana": GRAFANA_PORT}
