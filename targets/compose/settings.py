"""`obsc render --set compose.KEY=VALUE`: the backends' configs for a run outside containers.

The overlay's prometheus.yml, loki.yaml and tempo.yaml name the stack by compose service
names and container paths. These settings point them elsewhere, for running the rendered
configs as native processes (a test on loopback, a laptop): the addresses of Alertmanager,
the collector's own metrics and Prometheus, short scrape and evaluation intervals, where
the rules are, and Loki's listeners and directories. `obs-stack.yml` itself is unchanged.
Like every setting they never reach rendered/ (the CLI insists on --out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from targets import settings as values_of
from targets.compose import names

HELP: dict[str, str] = {
    "alertmanager": "HOST:PORT - the Alertmanager Prometheus and the Loki ruler send alerts to "
    f"(default {names.ALERTMANAGER}:{names.ALERTMANAGER_PORT})",
    "collectorMetrics": "HOST:PORT - where Prometheus scrapes the collector's own metrics "
    f"(default {names.COLLECTOR}:{names.COLLECTOR_TELEMETRY})",
    "prometheus": "HOST:PORT - Prometheus' own address: its self-scrape target, and Tempo's "
    f"and the Loki ruler's remote-write target (default localhost:{names.PROMETHEUS_PORT} and "
    f"{names.PROMETHEUS}:{names.PROMETHEUS_PORT})",
    "interval": "DURATION - Prometheus' scrape and rule evaluation interval (default 15s)",
    "rulesDir": "DIR - where Prometheus reads the alerts target's *.rules.yaml "
    f"(default {names.PROMETHEUS_RULES_MOUNT})",
    "loki": f"HOST:PORT - the address Loki's HTTP server listens on (default :{names.LOKI_PORT})",
    "lokiGrpc": "HOST:PORT - the address Loki's gRPC server listens on (default :9096)",
    "lokiDir": "DIR - Loki's data directory (chunks, index, WAL, compactor; default /loki)",
    "lokiRulesDir": "DIR - the Loki ruler's rules directory, holding <tenant>/rules.yaml "
    f"(default {names.LOKI_RULES_MOUNT})",
}

Config = dict[str, Any]
LOKI_DATA = "/loki"


@dataclass(frozen=True, slots=True)
class ComposeSettings:
    """Overrides of the backends' configs; None keeps what the overlay renders."""

    alertmanager: str | None = None
    collector_metrics: str | None = None
    prometheus: str | None = None
    interval: str | None = None
    rules_dir: str | None = None
    loki: str | None = None
    loki_grpc: str | None = None
    loki_dir: str | None = None
    loki_rules_dir: str | None = None


_FIELDS = {
    "alertmanager": ("alertmanager", values_of.address),
    "collectorMetrics": ("collector_metrics", values_of.address),
    "prometheus": ("prometheus", values_of.address),
    "interval": ("interval", values_of.duration),
    "rulesDir": ("rules_dir", values_of.directory),
    "loki": ("loki", values_of.address),
    "lokiGrpc": ("loki_grpc", values_of.address),
    "lokiDir": ("loki_dir", values_of.directory),
    "lokiRulesDir": ("loki_rules_dir", values_of.directory),
}


def parse_settings(values: Mapping[str, str]) -> ComposeSettings:
    """Settings from `--set` values (keys without `compose.`); ValueError on a bad one."""
    settings = ComposeSettings()
    for key, value in values.items():
        if key not in _FIELDS:
            raise ValueError(f"unknown setting compose.{key}")
        field, parse = _FIELDS[key]
        changed: dict[str, Any] = {field: parse(f"compose.{key}", value)}
        settings = replace(settings, **changed)
    return settings


def prometheus_overrides(config: Config, settings: ComposeSettings) -> Config:
    """prometheus.yml with the settings applied (scrape jobs found by their job names)."""
    if settings.interval is not None:
        config["global"] = {
            **config.get("global", {}),
            "scrape_interval": settings.interval,
            "evaluation_interval": settings.interval,
        }
    if settings.rules_dir is not None:
        mount = names.PROMETHEUS_RULES_MOUNT
        config["rule_files"] = [
            settings.rules_dir + path[len(mount) :] if path.startswith(mount + "/") else path
            for path in config.get("rule_files", [])
        ]
    if settings.alertmanager is not None:
        config["alerting"] = {
            "alertmanagers": [{"static_configs": [{"targets": [settings.alertmanager]}]}]
        }
    targets = {names.COLLECTOR: settings.collector_metrics, names.PROMETHEUS: settings.prometheus}
    for job in config.get("scrape_configs", []):
        where = targets.get(job.get("job_name", ""))
        if where is not None:
            job["static_configs"] = [{"targets": [where]}]
    return config


def _rebased(value: Any, data_dir: str) -> Any:
    """Every path under Loki's /loki moved under `data_dir`."""
    if isinstance(value, dict):
        return {key: _rebased(item, data_dir) for key, item in value.items()}
    if isinstance(value, list):
        return [_rebased(item, data_dir) for item in value]
    if isinstance(value, str) and (value == LOKI_DATA or value.startswith(LOKI_DATA + "/")):
        return data_dir + value[len(LOKI_DATA) :]
    return value


def _listen(server: Config, protocol: str, where: str) -> None:
    host, _, port = where.rpartition(":")
    server[f"{protocol}_listen_address"] = host
    server[f"{protocol}_listen_port"] = int(port)


def loki_overrides(config: Config, settings: ComposeSettings) -> Config:
    """loki.yaml with the settings applied."""
    if settings.loki_dir is not None:
        config = _rebased(config, settings.loki_dir)
    server = config.setdefault("server", {})
    if settings.loki is not None:
        _listen(server, "http", settings.loki)
    if settings.loki_grpc is not None:
        _listen(server, "grpc", settings.loki_grpc)
    ruler = config.get("ruler", {})
    if settings.alertmanager is not None and "alertmanager_url" in ruler:
        ruler["alertmanager_url"] = f"http://{settings.alertmanager}"
    clients = ruler.get("remote_write", {}).get("clients", {})
    if settings.prometheus is not None and "prometheus" in clients:
        clients["prometheus"]["url"] = f"http://{settings.prometheus}/api/v1/write"
    if settings.loki_rules_dir is not None and "storage" in ruler:
        ruler["storage"]["local"]["directory"] = settings.loki_rules_dir
    return config


def tempo_overrides(config: Config, settings: ComposeSettings) -> Config:
    """tempo.yaml with its remote write sent to the Prometheus of the settings."""
    if settings.prometheus is None:
        return config
    for target in config.get("metrics_generator", {}).get("storage", {}).get("remote_write", []):
        target["url"] = f"http://{settings.prometheus}/api/v1/write"
    return config
