"""The stack's services: collector, Prometheus, Alertmanager, Loki, Tempo, Grafana.

Images are the Project's pinned ones; healthchecks where the image can run one (health.py),
and each dependency waits for `service_healthy` when the service it waits for has a
healthcheck, `service_started` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from compiler.model import EnvironmentModel
from targets.collector.redaction import secret_patterns
from targets.compose import names
from targets.compose.health import NO_HEALTHCHECK, healthchecks
from targets.compose.inject import secret_interpolation
from targets.compose.mounts import Layout

Service = dict[str, object]

RESTART = "unless-stopped"


def _collector(model: EnvironmentModel, layout: Layout) -> Service:
    service: Service = {
        "image": model.stack.collector.image,
        "command": ["--config=/etc/obsc/collector.yaml"],
        # Docker's container log files are root's, readable by root only.
        "user": "0:0",
        "volumes": [
            layout.bind(names.COLLECTOR_CONFIG, "/etc/obsc/collector.yaml"),
            layout.host_bind("/var/lib/docker/containers", "/var/lib/docker/containers"),
        ],
    }
    # Custom redaction patterns given by secretRef: the config reads them as ${env:...}.
    secrets = secret_patterns(model)
    if secrets:
        service["environment"] = {ref.variable: secret_interpolation(ref) for ref in secrets}
    return service


def _prometheus(model: EnvironmentModel, layout: Layout) -> Service:
    return {
        "image": model.stack.prometheus.image,
        "command": [
            "--config.file=/etc/prometheus/prometheus.yml",
            "--storage.tsdb.path=/prometheus",
            # The environment's longest SLO window plus a margin (compiler/resolve/retention.py).
            f"--storage.tsdb.retention.time={model.stack.prometheus.retention.period}",
            "--web.enable-remote-write-receiver",
        ],
        "volumes": [
            layout.bind(f"compose/{names.PROMETHEUS_FILE}", "/etc/prometheus/prometheus.yml"),
            *layout.bind_if_rendered(names.ALERT_RULES_DIR, names.PROMETHEUS_RULES_MOUNT),
            layout.volume("prometheus", "/prometheus"),
        ],
    }


def _alertmanager(model: EnvironmentModel, layout: Layout) -> Service:
    service: Service = {
        "image": model.stack.alertmanager.image,
        "command": [
            "--config.file=/etc/alertmanager/alertmanager.yml",
            "--storage.path=/alertmanager",
        ],
        "volumes": [
            layout.bind(names.ALERTMANAGER_CONFIG, "/etc/alertmanager/alertmanager.yml"),
            layout.volume("alertmanager", "/alertmanager"),
        ],
    }
    if layout.secrets:
        service["secrets"] = [secret.mount() for secret in layout.secrets]
    return service


def _loki(model: EnvironmentModel, layout: Layout) -> Service:
    rules = f"{names.LOKI_RULES_MOUNT}/{names.LOKI_TENANT}/rules.yaml"
    return {
        "image": model.stack.loki.image,
        "command": ["-config.file=/etc/loki/obsc.yaml"],
        "volumes": [
            layout.bind(f"compose/{names.LOKI_FILE}", "/etc/loki/obsc.yaml"),
            *layout.bind_if_rendered(names.LOKI_RULES, rules),
            layout.volume("loki", "/loki"),
        ],
    }


def _tempo(model: EnvironmentModel, layout: Layout) -> Service:
    return {
        "image": model.stack.tempo.image,
        "command": ["-config.file=/etc/tempo/obsc.yaml"],
        "volumes": [
            layout.bind(f"compose/{names.TEMPO_FILE}", "/etc/tempo/obsc.yaml"),
            layout.volume("tempo", "/var/tempo"),
        ],
    }


def _grafana(model: EnvironmentModel, layout: Layout) -> Service:
    return {
        "image": model.stack.grafana.image,
        "environment": {
            "GF_AUTH_ANONYMOUS_ENABLED": "false",
            "GF_PATHS_PROVISIONING": "/etc/grafana/provisioning",
        },
        "volumes": [
            layout.bind(names.GRAFANA_PROVISIONING, "/etc/grafana/provisioning"),
            layout.bind(names.GRAFANA_DASHBOARDS, names.DASHBOARDS_MOUNT),
            layout.volume("grafana", "/var/lib/grafana"),
        ],
    }


#: What each stack service needs running first.
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    names.COLLECTOR: (names.LOKI, names.PROMETHEUS, names.TEMPO),
    names.PROMETHEUS: (names.ALERTMANAGER,),
    names.TEMPO: (names.PROMETHEUS,),
    names.GRAFANA: (names.PROMETHEUS, names.LOKI, names.ALERTMANAGER, names.TEMPO),
}

STACK: dict[str, Callable[[EnvironmentModel, Layout], Service]] = {
    names.COLLECTOR: _collector,
    names.PROMETHEUS: _prometheus,
    names.ALERTMANAGER: _alertmanager,
    names.LOKI: _loki,
    names.TEMPO: _tempo,
    names.GRAFANA: _grafana,
}


def stack_services(
    model: EnvironmentModel, layout: Layout, published: Mapping[str, int]
) -> dict[str, Service]:
    """Every service of the stack, by compose service name, with ports, restart, networks."""
    services = {name: build(model, layout) for name, build in STACK.items()}
    checks = healthchecks(model)
    for name, service in services.items():
        if name in checks:
            service["healthcheck"] = checks[name]
        else:
            service["x-obsc-healthcheck"] = NO_HEALTHCHECK[name]
        if name in DEPENDS_ON:
            service["depends_on"] = {
                dependency: {
                    "condition": "service_healthy" if dependency in checks else "service_started"
                }
                for dependency in DEPENDS_ON[name]
            }
    for component, host_port in published.items():
        name, container_port = names.CONTAINER_PORTS[component]
        services[name]["ports"] = [
            {"target": container_port, "published": str(host_port), "protocol": "tcp"}
        ]
    for service in services.values():
        service["restart"] = RESTART
        if layout.networks:
            service["networks"] = list(layout.networks)
    return services


def exporter_services(model: EnvironmentModel, layout: Layout) -> dict[str, Service]:
    """`<service>-exporter` for each infrastructure service the overlay sees (contract).

    Its connection settings (a DSN, a password) are the user's: an optional env file
    `obs-secrets/<service>-exporter.env` beside the user's compose file.
    """
    exporters: dict[str, Service] = {}
    for service in model.services:
        if service.exporter is None or not layout.has_user_service(service.name):
            continue
        definition: Service = {
            "image": service.exporter.image,
            "env_file": [
                {"path": layout.secret_path(f"{service.name}-exporter.env"), "required": False}
            ],
            "restart": RESTART,
        }
        if service.exporter.args:
            definition["command"] = list(service.exporter.args)
        if layout.networks:
            definition["networks"] = list(layout.networks)
        exporters[f"{service.name}-exporter"] = definition
    return exporters
