"""What redaction costs in the real collector: strict vs basic vs no policy, side by side.

    python -m bench.redaction [--collector PATH] [--records 20000] [--rounds 3]
        [--pii-share 0.02] [--obsc-tree DIR] [--before DIR] [--runs 1]
        [--out bench/results/redaction.json]

One estate, three services that differ only in their policy: `strict` (all ten built-in
patterns and a custom regex), `basic` (email and ipv4) and `none`. Its collector config is
rendered by obsc (`--obsc-tree` renders with another checkout, to compare versions) with
file exporters to /dev/null, and one collector runs it. The same generated load, a
realistic mix where `--pii-share` of the records carry a PII value (an e-mail address, a
card number, an IP address, a phone number) and the rest look like ordinary application
telemetry (routes, ids, UUIDs, timestamps, durations, versions), is sent over OTLP/HTTP as
each service in turn, round after round, alternating the services.

Per signal (logs, spans, metric datapoints) and service, the collector's CPU time (user +
system, from /proc) over the records sent gives `us_per_record` (median of the rounds) and
`records_per_cpu_second`; `vs_none` is the service's records per CPU second over those of
`none`. Everything but the redaction processor (receiver, fan-out to the groups, filters,
exporter) is the same for the three, so the difference is the redaction. Traces are sent
with sampling 1.0: every span is redacted.

`--runs N` repeats the whole measurement N times (a fresh collector each time) and reports
the medians; with `--before DIR` (another checkout, e.g. `git archive` of an older commit)
the runs alternate between the two trees, before then after, so that a machine shared with
other work weighs on both alike.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import write_report

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("strict", "basic", "none")
SIGNALS = ("logs", "traces", "metrics")
BATCH = 500
NANOS = "1700000000000000000"

PROJECT = """\
apiVersion: obsc.dev/v1
kind: Project
metadata:
  name: redaction-bench
spec:
  environments:
    - name: dev
      targets: [collector]
      sampling: 1.0
  redactionPolicies:
    - name: strict
      patterns: [email, credit_card, ssn, phone, ipv4, ipv6, jwt, bearer_token, iban,
                 aws_access_key]
      custom:
        - name: order_token
          regex: 'ord_[A-Za-z0-9]{24}'
      dropAttributes: [user.password]
    - name: basic
      patterns: [email, ipv4]
"""
SERVICE = """\
apiVersion: obsc.dev/v1
kind: Service
metadata:
  name: {name}
  team: bench
  tier: 3
spec:
  framework: flask
{policy}"""


def _estate(repo: Path) -> None:
    specs = repo / "specs"
    (specs / "services").mkdir(parents=True)
    (specs / "project.yaml").write_text(PROJECT)
    for name in SERVICES:
        policy = f"  redaction: {name}\n" if name != "none" else ""
        (specs / "services" / f"{name}.yaml").write_text(SERVICE.format(name=name, policy=policy))


# --- the load --------------------------------------------------------------------------

_ROUTES = ("/api/v1/orders/{id}", "/api/v1/cart", "/healthz", "/api/v1/users/{id}/profile")
_MESSAGES = (
    "GET {route} 200 {ms}ms",
    "cache miss for key session:{uuid}",
    "processed batch {n} of {m} in {ms}ms",
    "order {id} shipped at {ts}",
    "worker started, version {v}",
    "retrying request {uuid} after {ms}ms (attempt {n})",
    "payment authorised for order {id}",
)
_PII = (
    "contact {local}@example.com about order {id}",
    "charge failed for card 4111 1111 1111 1111",
    "login from 203.0.113.{n} failed",
    "callback number +44 20 7946 0{n:03d}",
)


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        route=rng.choice(_ROUTES),
        ms=rng.randint(1, 900),
        uuid=f"{rng.getrandbits(128):032x}",
        n=rng.randint(1, 250),
        m=rng.randint(250, 500),
        id=rng.randint(100000, 999999),
        ts=f"2026-12-0{rng.randint(1, 7)}T{rng.randint(10, 23)}:{rng.randint(10, 59)}:00Z",
        v=f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
        local=rng.choice(("jane", "li.wei", "o.connor")),
    )


def _text(rng: random.Random, pii_share: float) -> str:
    templates = _PII if rng.random() < pii_share else _MESSAGES
    return _fill(rng.choice(templates), rng)


def _attr(key: str, value: object) -> dict[str, object]:
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": str(value)}}


def _http_attributes(rng: random.Random) -> list[dict[str, object]]:
    route = rng.choice(_ROUTES)
    return [
        _attr("http.request.method", rng.choice(("GET", "POST"))),
        _attr("http.route", route),
        _attr("http.response.status_code", rng.choice((200, 200, 200, 201, 404, 503))),
        _attr("url.path", route.replace("{id}", str(rng.randint(1, 99999)))),
        _attr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"),
        _attr("request.id", f"{rng.getrandbits(128):032x}"),
    ]


def _resource(service: str) -> dict[str, object]:
    return {
        "attributes": [
            _attr("service.name", service),
            _attr("service.version", "1.4.2"),
            _attr("host.name", "node-7"),
        ]
    }


def _batch(signal: str, service: str, rng: random.Random, pii_share: float) -> bytes:
    resource = _resource(service)
    if signal == "logs":
        records = [
            {
                "timeUnixNano": NANOS,
                "severityText": "INFO",
                "body": {"stringValue": _text(rng, pii_share)},
                "attributes": _http_attributes(rng),
            }
            for _ in range(BATCH)
        ]
        doc: dict[str, Any] = {
            "resourceLogs": [{"resource": resource, "scopeLogs": [{"logRecords": records}]}]
        }
    elif signal == "traces":
        spans = []
        for _ in range(BATCH):
            attributes = _http_attributes(rng)
            if rng.random() < pii_share:
                attributes.append(_attr("enduser.note", _text(rng, 1.0)))
            spans.append(
                {
                    "traceId": f"{rng.getrandbits(128):032x}",
                    "spanId": f"{rng.getrandbits(64):016x}",
                    "name": f"GET {rng.choice(_ROUTES)}",
                    "kind": 2,
                    "startTimeUnixNano": NANOS,
                    "endTimeUnixNano": NANOS,
                    "attributes": attributes,
                    "status": {"code": 1},
                }
            )
        doc = {"resourceSpans": [{"resource": resource, "scopeSpans": [{"spans": spans}]}]}
    else:
        points = [
            {"asInt": str(rng.randint(0, 1000)), "timeUnixNano": NANOS, "attributes": attrs}
            for attrs in (_http_attributes(rng)[:3] for _ in range(BATCH))
        ]
        metric = {"name": "http.server.requests", "gauge": {"dataPoints": points}}
        doc = {"resourceMetrics": [{"resource": resource, "scopeMetrics": [{"metrics": [metric]}]}]}
    return json.dumps(doc).encode()


# --- the collector ---------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _render(tree: Path, repo: Path, out: Path, ports: dict[str, int]) -> Path:
    sink = out / "sink"
    sink.mkdir(parents=True)
    settings = {
        "exporters": f"file:{sink}",
        "logs": f"{out}/no-such-dir/*.log",
        "host": "127.0.0.1",
        "otlpGrpcPort": ports["grpc"],
        "otlpHttpPort": ports["http"],
        "healthPort": ports["health"],
        "telemetryPort": ports["telemetry"],
    }
    args = [sys.executable, "-m", "compiler.cli", "-q", "--repo", str(repo), "render"]
    args += ["--no-policies", "--env", "dev", "--target", "collector", "--out", str(out / "r")]
    args += [f"--set=collector.{k}={v}" for k, v in settings.items()]
    subprocess.run(args, cwd=tree, check=True, env={**os.environ, "PYTHONPATH": str(tree)})
    config = out / "r" / "dev" / "collector" / "config.yaml"
    # Exporting costs the same for every service; /dev/null keeps the disk out of it.
    text = config.read_text()
    for signal in SIGNALS:
        text = text.replace(f"{sink}/{signal}.json", "/dev/null")
    config.write_text(text)
    return config


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _post(conn: http.client.HTTPConnection, signal: str, body: bytes) -> None:
    conn.request("POST", f"/v1/{signal}", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"collector answered {response.status} to {signal}")


def _wait_healthy(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"collector exited:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("collector never healthy")


def measure(
    collector: Path, tree: Path, records: int, rounds: int, pii_share: float
) -> dict[str, Any]:
    """Render, run one collector, send every signal as every service; the CPU per record."""
    base = Path(tempfile.mkdtemp(prefix="obsc-redaction-bench-"))
    try:
        repo = base / "repo"
        _estate(repo)
        ports = {k: _free_port() for k in ("grpc", "http", "health", "telemetry")}
        config = _render(tree, repo, base, ports)
        rng = random.Random(11)
        batches = max(1, records // BATCH)
        # Distinct batches per service (same generator state for each: the same mix).
        payloads: dict[tuple[str, str], list[bytes]] = {}
        for signal in SIGNALS:
            seed = rng.random()
            for service in SERVICES:
                local = random.Random(seed)
                payloads[signal, service] = [
                    _batch(signal, service, local, pii_share) for _ in range(batches)
                ]
        log = base / "collector.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen(
                [str(collector), f"--config=file:{config}"], stdout=sink, stderr=sink
            )
        try:
            _wait_healthy(ports["health"], proc, log)
            conn = http.client.HTTPConnection("127.0.0.1", ports["http"], timeout=120)
            for signal in SIGNALS:  # warm-up
                for service in SERVICES:
                    _post(conn, signal, payloads[signal, service][0])
            cpu: dict[tuple[str, str], list[float]] = {}
            wall: dict[tuple[str, str], list[float]] = {}
            for _ in range(rounds):
                for signal in SIGNALS:
                    for service in SERVICES:
                        before, start = _cpu_seconds(proc.pid), time.perf_counter()
                        for body in payloads[signal, service]:
                            _post(conn, signal, body)
                        wall.setdefault((signal, service), []).append(time.perf_counter() - start)
                        cpu.setdefault((signal, service), []).append(
                            _cpu_seconds(proc.pid) - before
                        )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        sent = batches * BATCH
        results: dict[str, Any] = {}
        for signal in SIGNALS:
            row: dict[str, Any] = {}
            for service in SERVICES:
                seconds = statistics.median(cpu[signal, service])
                row[service] = {
                    "us_per_record": round(seconds / sent * 1e6, 1),
                    "records_per_cpu_second": round(sent / seconds) if seconds else None,
                    "records_per_second_wall": round(
                        sent / statistics.median(wall[signal, service])
                    ),
                    "cpu_seconds_all": [round(s, 3) for s in cpu[signal, service]],
                }
            for service in SERVICES:
                row[service]["vs_none"] = round(
                    row["none"]["us_per_record"] / row[service]["us_per_record"], 3
                )
            results[signal] = row
        statements = config.read_text().count("\n      - '")
        return {
            "records_per_measurement": sent,
            "rounds": rounds,
            "pii_share": pii_share,
            "config_lines": len(config.read_text().splitlines()),
            "ottl_statement_lines": statements,
            "results": results,
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per signal and service: the median over `runs` of each figure, and every run's ratio."""
    out: dict[str, Any] = {}
    for signal in SIGNALS:
        row: dict[str, Any] = {}
        for service in SERVICES:
            cells = [run["results"][signal][service] for run in runs]
            us = statistics.median(c["us_per_record"] for c in cells)
            row[service] = {
                "us_per_record": us,
                "records_per_cpu_second": round(1e6 / us) if us else None,
                "records_per_second_wall": round(
                    statistics.median(c["records_per_second_wall"] for c in cells)
                ),
                "vs_none": round(statistics.median(c["vs_none"] for c in cells), 3),
                "vs_none_all": [c["vs_none"] for c in cells],
            }
        out[signal] = row
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = Path.home() / ".cache/obsc-tools/otelcol-obsc-v0.159.0/bin/otelcol-obsc"
    parser.add_argument("--collector", type=Path, default=default)
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pii-share", type=float, default=0.02)
    parser.add_argument("--obsc-tree", type=Path, default=ROOT)
    parser.add_argument("--before", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    trees = {"after": args.obsc_tree}
    if args.before is not None:
        trees = {"before": args.before, **trees}
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in trees}
    for _ in range(args.runs):
        for label, tree in trees.items():
            runs[label].append(
                measure(args.collector, tree, args.records, args.rounds, args.pii_share)
            )
    if args.before is None and args.runs == 1:
        data = {**runs["after"][0], "obsc_tree": str(args.obsc_tree)}
    else:
        first = runs["after"][0]
        data = {key: first[key] for key in ("records_per_measurement", "rounds", "pii_share")}
        data["runs"] = args.runs
        for label, tree in trees.items():
            data[label] = {
                "obsc_tree": str(tree),
                "config_lines": runs[label][0]["config_lines"],
                "ottl_statement_lines": runs[label][0]["ottl_statement_lines"],
                "results": medians(runs[label]),
            }
    report = write_report(args.out, "redaction", data)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
