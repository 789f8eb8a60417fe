"""The `compose` target: an overlay that runs the observability stack beside the user's services.

Files, relative to `rendered/<env>/compose/` (docs/contracts.md):

- `obs-stack.yml`: used as `docker compose -f docker-compose.yml -f
  rendered/<env>/compose/obs-stack.yml up -d`; the user's file is never edited. It adds the
  services `otel-collector`, `prometheus`, `alertmanager`, `loki`, `tempo` and `grafana`
  (pinned images, healthchecks, named volumes, a restart policy, the rendered configs of
  the collector, alerts and grafana targets mounted read-only), a `<service>-exporter` per
  infrastructure service, and to each user service the OpenTelemetry environment and
  json-file logging with the service label; for services with `spec.instrumentation.inject`,
  an `obs-agent-<language>` init service copying the Operator's agent into a volume the
  service mounts and loads (agents.py);
- `prometheus.yml`, `loki.yaml`, `tempo.yaml`: the backends' own server configs
  (`--set compose.*` points them elsewhere for native processes, see settings.py).

Only Grafana publishes a host port unless the Project's `compose.ports` asks for more; a
port the user's compose file publishes is never reused (the next free one is taken).
Alertmanager's credentials are compose secrets read from files the user provides under
`obs-secrets/<name>/<key>` beside their compose file.
"""

from __future__ import annotations

from collections.abc import Mapping

from compiler.model import EnvironmentModel
from compiler.output.canonical import dump_yaml
from compiler.render.contract import Assembly, RenderedFiles, Target, assembled_only
from targets.compose import names
from targets.compose.agents import agent_services
from targets.compose.backends import loki_config, prometheus_config, tempo_config
from targets.compose.inject import user_services
from targets.compose.mounts import Layout, alertmanager_secrets, volume_name
from targets.compose.ports import choose_ports
from targets.compose.settings import (
    HELP,
    ComposeSettings,
    loki_overrides,
    parse_settings,
    prometheus_overrides,
    tempo_overrides,
)
from targets.compose.stack import exporter_services, stack_services

OWN_FILES = (names.PROMETHEUS_FILE, names.LOKI_FILE, names.TEMPO_FILE)
STACK_COMPONENTS = ("alertmanager", "grafana", "loki", "prometheus", "tempo")


def layout_of(model: EnvironmentModel, rendered: Mapping[str, bytes]) -> Layout:
    """The paths of this environment's overlay, given the consumed targets' files."""
    compose = model.compose
    network = compose.network if compose is not None else None
    return Layout(
        root=compose.root if compose is not None else ".",
        environment=model.environment,
        rendered=frozenset(rendered) | {f"compose/{name}" for name in OWN_FILES},
        networks=("default", network) if network else (),
        user_services=compose.services if compose is not None else None,
        secrets=alertmanager_secrets(model),
    )


def host_ports(model: EnvironmentModel) -> dict[str, int]:
    """Host ports of the stack: Grafana's by default, the Project's `compose.ports` on top."""
    compose = model.compose
    requested = dict(names.DEFAULT_PORTS)
    taken: tuple[int, ...] = ()
    if compose is not None:
        requested.update(dict(compose.ports))
        taken = compose.published_ports
    return choose_ports(requested, taken)


def overlay(model: EnvironmentModel, layout: Layout) -> dict[str, object]:
    """The whole `obs-stack.yml` document."""
    stack = stack_services(model, layout, host_ports(model))
    exporters = exporter_services(model, layout)
    users = user_services(model)
    agents = agent_services(model, tuple(users))
    clashes = sorted(set(users) & (set(stack) | set(exporters) | set(agents)))
    if clashes:
        raise ValueError(
            f"the user's compose file already has services named {', '.join(clashes)}, "
            "which the observability stack needs"
        )
    document: dict[str, object] = {"services": {**stack, **exporters, **agents, **users}}
    volumes = [volume_name(c) for c in STACK_COMPONENTS] + list(agents)
    document["volumes"] = {name: {} for name in sorted(volumes)}
    if layout.secrets:
        document["secrets"] = {s.id: {"file": s.file} for s in layout.secrets}
    if len(layout.networks) > 1:
        document["networks"] = {layout.networks[1]: {"external": True}}
    return document


def assemble_compose(
    model: EnvironmentModel,
    rendered: Mapping[str, bytes],
    settings: ComposeSettings | None = None,
) -> RenderedFiles:
    """The overlay and the backends' configs of one environment."""
    layout = layout_of(model, rendered)
    prometheus = prometheus_config(layout.is_rendered(names.ALERT_RULES_DIR))
    records = any(slo.sli.log_queries for service in model.services for slo in service.slos)
    loki, tempo = loki_config(model.stack.loki.retention.period, records), tempo_config()
    if settings is not None:
        prometheus = prometheus_overrides(prometheus, settings)
        loki, tempo = loki_overrides(loki, settings), tempo_overrides(tempo, settings)
    return {
        names.OVERLAY_FILE: dump_yaml(overlay(model, layout)),
        names.PROMETHEUS_FILE: dump_yaml(prometheus),
        names.LOKI_FILE: dump_yaml(loki),
        names.TEMPO_FILE: dump_yaml(tempo),
    }


CONSUMES = ("collector", "alerts", "grafana")


def configure(values: Mapping[str, str]) -> Assembly:
    """The assembly with `--set compose.*` overrides applied (ValueError on bad ones)."""
    settings = parse_settings(values)
    return Assembly(
        "compose", CONSUMES, lambda model, rendered: assemble_compose(model, rendered, settings)
    )


TARGET = Target(
    name="compose",
    description="Docker Compose overlay (obs-stack.yml) running the collector, Prometheus, "
    "Alertmanager, Loki, Tempo and Grafana beside the user's services, with their configs",
    render=assembled_only("compose", CONSUMES),
    consumes=CONSUMES,
    assemble=assemble_compose,
    settings=HELP,
    configure=configure,
)
