"""A healthy fake stack for an environment's rendered tree, with knobs to break it.

Each field is the state a real backend would hold; a test changes one and checks that
`obsc verify` names the defect. The collector fake "runs the pipeline": what is posted to
it is stored where Loki, Tempo and Prometheus answer from, masked unless `mask` is off.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.verify.fakes import (
    EMAIL,
    FakeServer,
    Reply,
    prom_success,
    rule_groups_of,
    serving,
    vector,
)

_SERVICE = re.compile(r'service="([^"]+)"')
_SLO_ID = re.compile(r'sloth_id="([^"]+)"')
_PROBE = re.compile(r'obsc_probe_id="([^"]+)"')
_LINE_FILTER = re.compile(r'\|= "([^"]+)"')
_STREAM = re.compile(r'service_name="([^"]+)"')


@dataclass
class FakeStack:
    """The state behind the fake APIs (healthy defaults) and their servers."""

    env_dir: Path
    services_with_metrics: set[str] = field(default_factory=set)
    # services whose scrape targets are down (up == 0) while their pushed series linger
    services_down: set[str] = field(default_factory=set)
    services_with_logs: set[str] = field(default_factory=set)
    services_with_traces: set[str] = field(default_factory=set)
    ratio: str = "0.001"
    retention: str = "31d"
    groups: list[dict[str, Any]] = field(default_factory=list)
    loki_groups: list[dict[str, Any]] = field(default_factory=list)
    alertmanager_config: str = ""
    dashboards: set[str] = field(default_factory=set)
    datasources: set[str] = field(default_factory=set)
    export_failures: list[tuple[dict[str, str], float]] = field(default_factory=list)
    mask: bool = True
    probe_lines: list[tuple[str, str]] = field(default_factory=list)
    probe_traces: dict[str, str] = field(default_factory=dict)
    probe_metrics: set[str] = field(default_factory=set)
    servers: dict[str, FakeServer] = field(default_factory=dict)

    def url(self, component: str) -> str:
        return self.servers[component].url

    def flags(self, *components: str) -> list[str]:
        """`--prometheus URL ...` for the given components (all when none given)."""
        names = components or tuple(self.servers)
        return [arg for name in names for arg in (f"--{name}", self.url(name))]

    # --- Prometheus ---------------------------------------------------------------------

    def prometheus(self) -> FakeServer:
        def query(path: str, params: dict[str, str], body: bytes) -> Reply:
            return Reply(vector(self._answer(params.get("query", ""))))

        return FakeServer(
            {
                "/api/v1/query": query,
                "/api/v1/rules": lambda *_: Reply(prom_success({"groups": self.groups})),
                "/api/v1/status/flags": lambda *_: Reply(
                    prom_success(
                        {
                            "storage.tsdb.retention.time": self.retention,
                            "storage.tsdb.retention.size": "0B",
                            "web.enable-remote-write-receiver": "true",
                        }
                    )
                ),
                "/api/v1/status/buildinfo": lambda *_: Reply(
                    prom_success({"version": "3.7.3", "revision": "fake", "goVersion": "go"})
                ),
            }
        )

    def _answer(self, query: str) -> list[tuple[dict[str, str], float | str]]:
        if query.startswith("count({service="):
            named = _SERVICE.search(query)
            found = named is not None and named.group(1) in self.services_with_metrics
            return [({}, 12)] if found else []
        if query.startswith("up{"):
            named = _SERVICE.search(query)
            down = named is not None and named.group(1) in self.services_down
            return [({"service": named.group(1) if named else ""}, 0)] if down else []
        if query.startswith("slo:sli_error:ratio_rate5m"):
            slo_id = _SLO_ID.search(query)
            service = slo_id.group(1).split("-")[0] if slo_id else ""
            if service not in self.services_with_metrics:
                return []
            labels = dict(re.findall(r'(\w+)="([^"]*)"', query))
            return [({"__name__": "slo:sli_error:ratio_rate5m", **labels}, self.ratio)]
        if query.startswith('count({__name__=~"otelcol_'):
            return [({}, 42)]
        if query.startswith("group by (__name__)"):  # the counters of a family, one by one
            failing = "otelcol_exporter_send_failed_" in query and self.export_failures
            return (
                [({"__name__": "otelcol_exporter_send_failed_spans_total"}, 1)] if failing else []
            )
        if "otelcol_exporter_send_failed_" in query:
            return list(self.export_failures)
        if query.startswith("obsc_verify_probe"):
            probe = _PROBE.search(query)
            found = probe is not None and probe.group(1) in self.probe_metrics
            return [({"obsc_probe_id": probe.group(1) if probe else ""}, 1)] if found else []
        return []

    # --- Alertmanager -------------------------------------------------------------------

    def alertmanager(self) -> FakeServer:
        def status(*_: Any) -> Reply:
            return Reply(
                {
                    "cluster": {"name": "fake", "peers": [], "status": "ready"},
                    "config": {"original": self.alertmanager_config},
                    "uptime": "2026-12-07T02:00:00.000Z",
                    "versionInfo": {"version": "0.28.1", "revision": "fake", "branch": "HEAD"},
                }
            )

        return FakeServer({"/api/v2/status": status})

    # --- Loki ---------------------------------------------------------------------------

    def loki(self) -> FakeServer:
        def query_range(path: str, params: dict[str, str], body: bytes) -> Reply:
            query = params["query"]
            stream = _STREAM.search(query)
            service = stream.group(1) if stream else ""
            wanted = _LINE_FILTER.search(query)
            if wanted:
                lines = [t for s, t in self.probe_lines if s == service and wanted.group(1) in t]
            elif service in self.services_with_logs:
                lines = [f'{{"level":"info","msg":"GET / 200","service":"{service}"}}']
            else:
                lines = []
            result = (
                [{"stream": {"service_name": service}, "values": [[str(10**18), t] for t in lines]}]
                if lines
                else []
            )
            return Reply(prom_success({"resultType": "streams", "result": result, "stats": {}}))

        return FakeServer(
            {
                "/loki/api/v1/query_range": query_range,
                "/loki/api/v1/status/buildinfo": lambda *_: Reply(
                    {"version": "3.5.3", "revision": "fake", "branch": "HEAD"}
                ),
                "/prometheus/api/v1/rules": lambda *_: Reply(
                    prom_success({"groups": self.loki_groups})
                ),
            }
        )

    # --- Tempo --------------------------------------------------------------------------

    def tempo(self) -> FakeServer:
        def search(path: str, params: dict[str, str], body: bytes) -> Reply:
            service = params.get("tags", "").partition("service.name=")[2]
            traces = (
                [
                    {
                        "traceID": "2f3e0cb3a7d0e1d0",
                        "rootServiceName": service,
                        "rootTraceName": "GET /",
                        "startTimeUnixNano": "1700000000000000000",
                        "durationMs": 3,
                    }
                ]
                if service in self.services_with_traces
                else []
            )
            return Reply({"traces": traces, "metrics": {"completedJobs": 1, "totalJobs": 1}})

        def trace(path: str, params: dict[str, str], body: bytes) -> Reply:
            found = self.probe_traces.get(path.rsplit("/", 1)[1])
            if found is None:
                return Reply("trace not found\n", 404)
            return Reply(found)

        return FakeServer(
            {
                "/api/search": search,
                "/api/traces/*": trace,
                "/api/status/buildinfo": lambda *_: Reply({"version": "2.8.2"}),
            }
        )

    # --- Grafana ------------------------------------------------------------------------

    def grafana(self) -> FakeServer:
        def dashboard(path: str, params: dict[str, str], body: bytes) -> Reply:
            uid = path.rsplit("/", 1)[1]
            if uid not in self.dashboards:
                return Reply({"message": "Dashboard not found"}, 404)
            return Reply({"dashboard": {"uid": uid}, "meta": {"slug": uid}})

        def datasource(path: str, params: dict[str, str], body: bytes) -> Reply:
            uid = path.rsplit("/", 1)[1]
            if uid not in self.datasources:
                return Reply({"message": "Data source not found"}, 404)
            return Reply({"uid": uid, "name": uid, "type": uid})

        return FakeServer(
            {
                "/api/health": lambda *_: Reply(
                    {"commit": "fake", "database": "ok", "version": "12.1.0"}
                ),
                "/api/dashboards/uid/*": dashboard,
                "/api/datasources/uid/*": datasource,
            }
        )

    # --- the collector's OTLP/HTTP receiver, delivering to the fakes above ---------------

    def collector(self) -> FakeServer:
        def redact(text: str) -> str:
            return EMAIL.sub("[REDACTED]", text) if self.mask else text

        def logs(path: str, params: dict[str, str], body: bytes) -> Reply:
            for resource in json.loads(body)["resourceLogs"]:
                service = _service_name(resource)
                for scope in resource["scopeLogs"]:
                    for record in scope["logRecords"]:
                        self.probe_lines.append((service, redact(record["body"]["stringValue"])))
            return Reply({})

        def traces(path: str, params: dict[str, str], body: bytes) -> Reply:
            document = json.loads(body)
            for resource in document["resourceSpans"]:
                for scope in resource["scopeSpans"]:
                    for span in scope["spans"]:
                        batches = {"batches": [resource]}
                        self.probe_traces[span["traceId"]] = redact(json.dumps(batches))
            return Reply({})

        def metrics(path: str, params: dict[str, str], body: bytes) -> Reply:
            for resource in json.loads(body)["resourceMetrics"]:
                for scope in resource["scopeMetrics"]:
                    for metric in scope["metrics"]:
                        for point in metric["gauge"]["dataPoints"]:
                            for attribute in point["attributes"]:
                                self.probe_metrics.add(attribute["value"]["stringValue"])
            return Reply({})

        return FakeServer({"/v1/logs": logs, "/v1/traces": traces, "/v1/metrics": metrics})


def _service_name(resource: dict[str, Any]) -> str:
    for attribute in resource["resource"]["attributes"]:
        if attribute["key"] == "service.name":
            return str(attribute["value"]["stringValue"])
    return ""


@contextmanager
def fake_stack(env_dir: Path, alertmanager_config: str) -> Iterator[FakeStack]:
    """A healthy stack for the rendered environment at `env_dir`, served on loopback."""
    from ruamel.yaml import YAML

    model = json.loads((env_dir / "model" / "model.json").read_text())
    names = {s["name"] for s in model["services"]}
    datasources = YAML(typ="safe").load(
        (env_dir / "grafana/provisioning/datasources/datasources.yaml").read_bytes()
    )
    stack = FakeStack(
        env_dir=env_dir,
        services_with_metrics=set(names),
        services_with_logs=set(names),
        services_with_traces=set(names),
        groups=rule_groups_of(sorted((env_dir / "alerts/rules").glob("*.rules.yaml"))),
        loki_groups=rule_groups_of([env_dir / "alerts/loki/rules.yaml"]),
        alertmanager_config=alertmanager_config,
        dashboards={
            json.loads(p.read_text())["uid"]
            for p in (env_dir / "grafana/dashboards").rglob("*.json")
        },
        datasources={d["uid"] for d in datasources["datasources"]},
    )
    with ExitStack() as servers:
        for name in ("prometheus", "alertmanager", "loki", "tempo", "grafana", "collector"):
            stack.servers[name] = servers.enter_context(serving(getattr(stack, name)()))
        yield stack
