"""What a running environment should look like, read from what obsc rendered for it.

Reading `rendered/<env>/` rather than rendering again keeps `verify` fast and checks
exactly what was deployed. The tree must be current: the manifest's input digest and
compiler version must be those of the specs and the running obsc, and every file read
must have the digest the manifest records; otherwise the expectation would be wrong, and
the user is told to run `obsc render` (exit 2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.errors import UsageError
from compiler.model import EnvironmentModel, ResolvedService
from compiler.output.manifest import MANIFEST_NAME, Manifest, file_digest

RATIO_5M = "slo:sli_error:ratio_rate5m"
# The labels of a ratio series that identify its SLO (the rule also sets team and window).
_SLO_KEYS = ("service", "slo", "sloth_id")


@dataclass(frozen=True, slots=True)
class SloSeries:
    """An SLO and the label set its `slo:sli_error:ratio_rate5m` series carries."""

    slo: str
    labels: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ServiceExpectation:
    """A service and the signals it is expected to produce (None: expected; else why not)."""

    name: str
    service: ResolvedService
    metrics: str | None
    logs: str | None
    traces: str | None
    slo_series: tuple[SloSeries, ...]


@dataclass(frozen=True, slots=True)
class Expected:
    """The rendered expectation of one environment; None where no target rendered it."""

    environment: str
    model: EnvironmentModel
    services: tuple[ServiceExpectation, ...]
    prometheus_groups: dict[str, int] | None
    loki_groups: dict[str, int] | None
    alertmanager: dict[str, Any] | None
    dashboards: tuple[str, ...] | None
    datasources: tuple[str, ...] | None
    collector_scraped: bool

    @property
    def longest_window(self) -> tuple[str, float] | None:
        """The longest SLO window of the environment (text, seconds), if any SLO."""
        windows = [(slo.window, slo.window_seconds) for s in self.model.services for slo in s.slos]
        return max(windows, key=lambda w: w[1]) if windows else None


class _Tree:
    """Reads files of rendered/<env>/, each checked against the manifest's digest."""

    def __init__(self, root: Path, environment: str, manifest: Manifest) -> None:
        self.root = root
        self.environment = environment
        self.manifest = manifest

    def has(self, relative: str) -> bool:
        return f"{self.environment}/{relative}" in self.manifest.files

    def under(self, prefix: str, suffix: str) -> list[str]:
        head = f"{self.environment}/{prefix}"
        return sorted(
            path[len(self.environment) + 1 :]
            for path in self.manifest.files
            if path.startswith(head) and path.endswith(suffix)
        )

    def read(self, relative: str) -> bytes:
        key = f"{self.environment}/{relative}"
        path = self.root / key
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise _stale(self.root, f"{key} cannot be read ({exc.strerror})") from None
        if file_digest(raw) != self.manifest.files.get(key):
            raise _stale(self.root, f"{key} differs from what the manifest records")
        return raw

    def yaml(self, relative: str) -> Any:
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).load(self.read(relative))


def read_expected(
    rendered: Path, environment: str, input_digest: str, compiler_version: str
) -> Expected:
    """The expectation of `environment` from the rendered tree at `rendered`."""
    manifest = _current_manifest(rendered, environment, input_digest, compiler_version)
    tree = _Tree(rendered, environment, manifest)
    if not tree.has("model/model.json"):
        raise UsageError(
            f"environment {environment!r} does not render the `model` target: obsc verify "
            f"reads {rendered}/{environment}/model/model.json; add `model` to its targets"
        )
    try:
        model = EnvironmentModel.model_validate_json(tree.read("model/model.json"))
    except ValueError:
        raise _stale(rendered, "its model.json is not the model of this obsc version") from None
    rule_files = [tree.yaml(path) for path in tree.under("alerts/rules/", ".rules.yaml")]
    has_alerts = tree.has("alerts/alertmanager.yaml")
    return Expected(
        environment=environment,
        model=model,
        services=tuple(_service(s, rule_files) for s in model.services),
        prometheus_groups=_group_counts(rule_files) if rule_files else None,
        loki_groups=(
            _group_counts([tree.yaml("alerts/loki/rules.yaml")])
            if tree.has("alerts/loki/rules.yaml")
            else None
        ),
        alertmanager=tree.yaml("alerts/alertmanager.yaml") if has_alerts else None,
        dashboards=_dashboards(tree) if tree.under("grafana/dashboards/", ".json") else None,
        datasources=_datasources(tree),
        collector_scraped="helm" in model.targets or _scrapes_collector(tree),
    )


def _current_manifest(
    rendered: Path, environment: str, input_digest: str, compiler_version: str
) -> Manifest:
    try:
        manifest = Manifest.parse((rendered / MANIFEST_NAME).read_bytes())
    except OSError:
        manifest = None
    if manifest is None:
        raise _stale(rendered, f"{rendered}/{MANIFEST_NAME} is missing or unreadable")
    if environment not in manifest.environments:
        raise _stale(rendered, f"environment {environment!r} was not rendered")
    if manifest.input_digest != input_digest:
        raise _stale(rendered, "the specs changed since it was rendered")
    if manifest.compiler_version != compiler_version:
        raise _stale(
            rendered,
            f"it was rendered by obsc {manifest.compiler_version}, this is {compiler_version}",
        )
    return manifest


def _stale(rendered: Path, why: str) -> UsageError:
    return UsageError(
        f"{rendered}/ is stale or incomplete: {why}; run `obsc render` (and deploy what it "
        "renders) before `obsc verify`, which checks the stack against the rendered files"
    )


def _service(service: ResolvedService, rule_files: list[Any]) -> ServiceExpectation:
    return ServiceExpectation(
        name=service.name,
        service=service,
        metrics=None if service.metrics.enabled else "metrics are disabled for this service",
        logs=None,  # the collector tails every container's log (compose and Kubernetes)
        traces=_traces_expected(service),
        slo_series=_slo_series(service, rule_files),
    )


def _traces_expected(service: ResolvedService) -> str | None:
    """None when the service is expected to send traces; otherwise why it is not.

    Traces come from OpenTelemetry in the process: the framework database's zero-code
    instrumentation (its environment variables), or an SDK the app already runs because
    its metrics come from OpenTelemetry (`source: otel` or `spans`).
    """
    if service.category != "application":
        return f"not expected: {service.framework} is infrastructure (scraped, no traces)"
    if service.instrumentation.env or service.metrics.source in ("otel", "spans"):
        return None
    return (
        f"not expected: {service.framework} has no zero-code OpenTelemetry instrumentation "
        "in the framework database (traces need the SDK in the code)"
    )


def _slo_series(service: ResolvedService, rule_files: list[Any]) -> tuple[SloSeries, ...]:
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for data in rule_files:
        for group in (data or {}).get("groups") or ():
            for rule in group.get("rules") or ():
                labels = rule.get("labels") or {}
                if rule.get("record") == RATIO_5M and labels.get("service") == service.name:
                    found[str(labels.get("slo"))] = tuple(
                        (key, str(labels[key])) for key in _SLO_KEYS if key in labels
                    )
    return tuple(
        SloSeries(slo.name, found.get(slo.name, (("service", service.name), ("slo", slo.name))))
        for slo in service.slos
    )


def _group_counts(rule_files: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for data in rule_files:
        for group in (data or {}).get("groups") or ():
            counts[str(group["name"])] = len(group.get("rules") or ())
    return counts


def _dashboards(tree: _Tree) -> tuple[str, ...]:
    uids = {
        str(json.loads(tree.read(path)).get("uid"))
        for path in tree.under("grafana/dashboards/", ".json")
    }
    return tuple(sorted(uids))


def _datasources(tree: _Tree) -> tuple[str, ...] | None:
    path = "grafana/provisioning/datasources/datasources.yaml"
    if not tree.has(path):
        return None
    data = tree.yaml(path) or {}
    return tuple(sorted(str(d["uid"]) for d in data.get("datasources") or () if "uid" in d))


def _scrapes_collector(tree: _Tree) -> bool:
    """Whether the compose stack's Prometheus scrapes the collector (job otel-collector).

    On Kubernetes the chart's PodMonitor does, under the same job (see the caller).
    """
    path = "compose/prometheus.yml"
    if not tree.has(path):
        return False
    jobs = (tree.yaml(path) or {}).get("scrape_configs") or ()
    return any(job.get("job_name") == "otel-collector" for job in jobs)
