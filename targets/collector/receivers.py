"""Receivers: OTLP from instrumented services, container log files, Prometheus scrapes."""

from __future__ import annotations

from collections.abc import Iterable

from compiler.errors import UsageError
from compiler.model import EnvironmentModel, ResolvedService
from compiler.output.metric_names import Platform
from targets.collector.ottl import literal  # expr-lang strings escape as OTTL's do
from targets.collector.settings import CollectorSettings

# Where the container runtime writes stdout/stderr: Docker's json-file driver, and the
# kubelet's CRI log layout (/var/log/pods/<ns>_<pod>_<uid>/<container>/<n>.log).
DEFAULT_LOGS: dict[Platform, tuple[str, ...]] = {
    "compose": ("/var/lib/docker/containers/*/*-json.log",),
    "kubernetes": ("/var/log/pods/*/*/*.log",),
}
# The label Docker's json-file driver copies into each line's `attrs` when the compose
# overlay sets `logging.options.labels` (docs/contracts.md): the compose service name.
COMPOSE_SERVICE_LABEL = "com.docker.compose.service"

# Lines that continue the previous log entry (stack traces), per language. A line that does
# not match starts a new entry. RE2 syntax, used in stanza expressions.
CONTINUATION: dict[str, str] = {
    "python": r"^(\s|Traceback \(most recent call last\):|During handling of the above "
    r"exception|The above exception was the direct cause|[A-Za-z_][A-Za-z0-9_.]*"
    r"(Error|Exception|Warning|Exit|Interrupt)(: |$))",
    "java": r"^(\s+at |\s+\.\.\. [0-9]+ (more|common frames omitted)|Caused by: |Suppressed: "
    r"|\s*$|[A-Za-z_$][A-Za-z0-9_$.]*(Exception|Error|Throwable)(: |$))",
    "javascript": r"^(\s+at |\s*$)",
    "ruby": r"^\s",
    "go": r"^(\s|goroutine [0-9]+ \[|created by |[A-Za-z0-9_./*()\[\]-]+\(.*\)$|exit status "
    r"[0-9]+$)",
    "php": r"^(#[0-9]+ |Stack trace:|\s)",
    "dotnet": r"^(\s+at |\s+--- End of |\s*$)",
    "rust": r"^(\s|stack backtrace:|note: )",
}


def otlp_receiver(settings: CollectorSettings) -> dict[str, object]:
    """OTLP over gRPC and HTTP, bound explicitly: the default is localhost since v0.104."""
    host = settings.host
    return {
        "protocols": {
            "grpc": {"endpoint": f"{host}:{settings.otlp_grpc_port}"},
            "http": {"endpoint": f"{host}:{settings.otlp_http_port}"},
        }
    }


def file_log_receiver(
    model: EnvironmentModel, platform: Platform, settings: CollectorSettings
) -> dict[str, object]:
    """Container stdout/stderr with the service name, JSON parsing and stack-trace joining."""
    operators: list[dict[str, object]] = []
    if platform == "compose":
        operators += [
            {
                "type": "container",
                "id": "container",
                "format": "docker",
                "add_metadata_from_filepath": False,
            },
            {
                "type": "move",
                "if": "attributes.attrs != nil and "
                f"attributes.attrs[{literal(COMPOSE_SERVICE_LABEL)}] != nil",
                "from": f'attributes.attrs["{COMPOSE_SERVICE_LABEL}"]',
                "to": 'resource["service.name"]',
            },
            {"type": "remove", "if": "attributes.attrs != nil", "field": "attributes.attrs"},
        ]
    else:
        # service.name comes from the pod's workload identity, set by the ingest pipeline
        # (k8s_attributes, then transform/identity), never from the container name: a
        # container named like another service would get that service's redaction policy.
        operators.append(
            {"type": "container", "id": "container", "add_metadata_from_filepath": True}
        )
    # Docker keeps each line's newline in the body; CRI does not.
    joiner = "" if platform == "compose" else "\n"
    # Parsing only (JSON, stack traces) is chosen by container name on Kubernetes.
    field = "service.name" if platform == "compose" else "k8s.container.name"
    routes, branches = _per_service_parsing(model.services, joiner, field)
    if routes:
        operators.append({"type": "router", "id": "by-service", "routes": routes, "default": "end"})
        operators += branches
    operators.append({"type": "noop", "id": "end"})
    return {
        "include": list(settings.log_include or DEFAULT_LOGS[platform]),
        "include_file_path": True,
        "start_at": "end",
        "operators": operators,
    }


def _per_service_parsing(
    services: Iterable[ResolvedService], joiner: str, field: str
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Router routes and their operator branches: JSON parsing, or joining stack traces."""
    json_services: list[str] = []
    by_language: dict[str, list[str]] = {}
    for service in services:
        if service.category != "application":
            continue
        if service.logs_format == "json":
            json_services.append(service.name)
        elif service.language in CONTINUATION:
            by_language.setdefault(service.language, []).append(service.name)
    routes: list[dict[str, object]] = []
    branches: list[dict[str, object]] = []
    if json_services:
        routes.append({"expr": _service_in(json_services, field), "output": "parse-json"})
        branches.append(
            {
                "type": "json_parser",
                "id": "parse-json",
                "if": 'body matches "^\\\\s*\\\\{"',
                "parse_from": "body",
                "parse_to": "body",
                "on_error": "send_quiet",
                "output": "end",
            }
        )
    for language in sorted(by_language):
        routes.append(
            {"expr": _service_in(by_language[language], field), "output": f"join-{language}"}
        )
        branches.append(
            {
                "type": "recombine",
                "id": f"join-{language}",
                "combine_field": "body",
                "combine_with": joiner,
                "is_first_entry": f"not (body matches {literal(CONTINUATION[language])})",
                "source_identifier": 'attributes["log.file.path"]',
                "max_log_lines": 500,
                "output": "end",
            }
        )
    return routes, branches


def _service_in(names: list[str], field: str) -> str:
    return f'resource["{field}"] in [' + ", ".join(literal(n) for n in names) + "]"


def scrape_target(service: ResolvedService) -> tuple[str, int, str] | None:
    """(host, port, path) of the service's Prometheus endpoint, or None when it pushes OTLP.

    Infrastructure is scraped through its exporter, which the compose and helm targets run
    as `<service>-exporter` (docs/contracts.md).
    """
    if not service.metrics.enabled:
        return None
    if service.exporter is not None:
        return f"{service.name}-exporter", service.exporter.port, service.exporter.path
    if service.metrics.source != "exporter":
        return None
    return service.name, service.metrics.port, service.metrics.path


def _scraped(model: EnvironmentModel) -> dict[str, tuple[str, str]]:
    """Each scraped service's (HOST:PORT, metrics path), in the model's order."""
    scraped: dict[str, tuple[str, str]] = {}
    for service in model.services:
        target = scrape_target(service)
        if target is not None:
            host, port, path = target
            scraped[service.name] = (f"{host}:{port}", path)
    return scraped


def prometheus_receiver(
    model: EnvironmentModel, platform: Platform, settings: CollectorSettings
) -> dict[str, object] | None:
    """A scrape job per service exposing Prometheus metrics, each series labelled service=.

    Compose only: on Kubernetes, Prometheus itself scrapes the services through the
    PodMonitors the helm target renders, so the collector does not scrape them twice.
    `collector.scrapeTargets` gives the listed services other addresses and drops the rest.
    """
    if platform != "compose":
        return None
    scraped = _scraped(model)
    if settings.scrape_targets is not None:
        unknown = sorted(name for name, _ in settings.scrape_targets if name not in scraped)
        if unknown:
            raise UsageError(
                f"--set collector.scrapeTargets: {', '.join(unknown)}: no such service scraped "
                f"in environment {model.environment!r} (scraped: {', '.join(scraped)})"
            )
        chosen = dict(settings.scrape_targets)
        scraped = {
            name: (chosen[name], path) for name, (_, path) in scraped.items() if name in chosen
        }
    jobs = [
        {
            "job_name": name,
            "metrics_path": path,
            "scrape_interval": settings.scrape_interval,
            "static_configs": [{"targets": [address], "labels": {"service": name}}],
        }
        for name, (address, path) in scraped.items()
    ]
    if not jobs:
        return None
    return {"config": {"scrape_configs": jobs}}
