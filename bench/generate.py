"""Generate a synthetic estate of N services: mixed frameworks, two SLOs each, several teams.

    python -m bench.generate OUT_DIR --services 1000 [--seed 1] [--heavy]

The estate is deterministic for a given N and seed. Latency thresholds are picked from
each framework's own histogram buckets, so every generated estate is valid.

`--heavy` makes it as heavy as a real estate (issue 20): a third SLO per service (a ratio
SLO over the service's own business counters, beside availability and latency), a
Kubernetes workload with agent injection where the language allows it, and every target
in both environments (compose in dev; the Helm chart, Argo CD and the instrumentation
component in prod).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from compiler.errors import DiagnosticSink
from compiler.frameworks import load_builtin_frameworks

TEAMS = ("payments", "catalog", "identity", "platform", "search", "growth", "data", "mobile")

PROJECT = """\
apiVersion: obsc.dev/v1
kind: Project
metadata:
  name: bench
spec:
  environments:
    - name: dev
      targets: [model, collector, alerts, grafana]
      sampling: 1.0
    - name: prod
      targets: [model, collector, alerts, grafana]
      sampling: 0.1
      redaction: pii-standard
  redactionPolicies:
    - name: pii-strict
      patterns: [email, credit_card, ssn, phone, ipv4, jwt, bearer_token]
      custom:
        - name: order_token
          regex: 'ord_[A-Za-z0-9]{24}'
      dropAttributes: [http.request.header.authorization]
    - name: pii-standard
      patterns: [email, phone, jwt]
  alerting:
    receivers:
%(receivers)s
    routes:
%(routes)s
"""

SERVICE = """\
apiVersion: obsc.dev/v1
kind: Service
metadata:
  name: %(name)s
  team: %(team)s
  tier: %(tier)d
spec:
  framework: %(framework)s
  redaction: %(redaction)s
  sampling: %(sampling)s
  runbook: https://runbooks.example.com/%(name)s
  slos:
    - name: availability
      objective: %(objective)s
      sli: {kind: availability}
    - name: latency
      objective: 99
      window: %(window)s
      sli: {kind: latency, threshold: %(threshold)s}
  environments:
    prod: {sampling: %(prod_sampling)s}
"""


def _threshold(buckets: list[float]) -> str:
    """A threshold that is one of the buckets (in whole milliseconds), as a duration."""
    clean = [b for b in buckets if abs(b * 1000 - round(b * 1000)) < 1e-9]
    chosen = clean[len(clean) // 2]
    millis = round(chosen * 1000)
    return f"{millis}ms"


def latency_frameworks() -> list[tuple[str, str]]:
    """(framework, threshold) for every built-in application framework with a histogram."""
    sink = DiagnosticSink()
    result = []
    for parsed in load_builtin_frameworks(sink):
        spec = parsed.model.spec
        duration = spec.metrics.duration
        if spec.category != "application" or duration is None or spec.metrics.requests is None:
            continue
        scale = 0.001 if duration.unit == "milliseconds" else 1.0
        result.append(
            (parsed.model.metadata.name, _threshold([b * scale for b in duration.buckets]))
        )
    return sorted(result)


HEAVY_TARGETS = {
    "[model, collector, alerts, grafana]\n      sampling: 1.0": (
        "[model, compose, collector, alerts, grafana]\n      sampling: 1.0"
    ),
    "[model, collector, alerts, grafana]\n      sampling: 0.1": (
        "[model, helm, collector, alerts, grafana, gitops, instrumentation]\n      sampling: 0.1"
    ),
}

HEAVY_PROJECT = """\
  gitops:
    engine: argocd
    repoURL: https://git.example.com/platform/observability.git
    revision: main
    namespace: observability
"""

HEAVY_SERVICE = """\
    - name: orders-complete
      objective: 99.5
      window: 28d
      sli:
        kind: ratio
        good: 'sum(rate(orders_completed_total{service="%(name)s"}[{{window}}]))'
        total: 'sum(rate(orders_started_total{service="%(name)s"}[{{window}}]))'
"""

#: Where the OpenTelemetry Operator injects an agent from a start option (others: OBSC354).
INJECTED_LANGUAGES = ("java", "javascript", "python")
HEAVY_WORKLOAD = """\
  kubernetes: {kind: Deployment, name: %(name)s, namespace: %(team)s}
  instrumentation: {inject: true}
"""


def injected_frameworks() -> set[str]:
    """The built-in frameworks whose services can have their agent injected."""
    return {
        parsed.model.metadata.name
        for parsed in load_builtin_frameworks(DiagnosticSink())
        if parsed.model.spec.language in INJECTED_LANGUAGES
    }


def _heavy_project(text: str) -> str:
    for light, heavy in HEAVY_TARGETS.items():
        assert light in text
        text = text.replace(light, heavy)
    return text + HEAVY_PROJECT


def generate(out: Path, services: int, seed: int = 1, *, heavy: bool = False) -> None:
    """Write specs/project.yaml and specs/services/<team>/*.yaml under `out`.

    `heavy`: three SLOs per service and every target in both environments (module doc).
    """
    rng = random.Random(seed)
    frameworks = latency_frameworks()
    injected = injected_frameworks() if heavy else set()
    specs = out / "specs"
    receivers = "\n".join(
        f"      - name: {team}-chat\n        type: slack\n        channel: '#{team}'\n"
        f"        secretRef: {{name: alertmanager-secrets, key: slack-{team}}}"
        for team in TEAMS
    )
    routes = "\n".join(
        f"      - match: {{team: {team}}}\n        receiver: {team}-chat" for team in TEAMS
    )
    (specs / "services").mkdir(parents=True, exist_ok=True)
    project = PROJECT % {"receivers": receivers, "routes": routes}
    (specs / "project.yaml").write_text(_heavy_project(project) if heavy else project)
    per_file = 50
    for start in range(0, services, per_file):
        team = TEAMS[(start // per_file) % len(TEAMS)]
        documents = []
        for index in range(start, min(start + per_file, services)):
            framework, threshold = frameworks[index % len(frameworks)]
            values = {
                "name": f"svc-{index:05d}",
                "team": team,
                "tier": rng.choice((1, 2, 2, 3)),
                "framework": framework,
                "redaction": rng.choice(("pii-strict", "pii-standard")),
                "sampling": rng.choice(("0.5", "0.25", "1.0")),
                "objective": rng.choice(("99.9", "99.5", "99.95")),
                "window": rng.choice(("30d", "28d")),
                "threshold": threshold,
                "prod_sampling": rng.choice(("0.05", "0.1")),
            }
            text = SERVICE % values
            if heavy:
                head, tail = text.split("  environments:\n")
                workload = HEAVY_WORKLOAD % values if framework in injected else ""
                text = head + HEAVY_SERVICE % values + workload + "  environments:\n" + tail
            documents.append(text)
        folder = specs / "services" / team
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"batch-{start // per_file:04d}.yaml").write_text("---\n".join(documents))


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--heavy", action="store_true", help="three SLOs, every target")
    args = parser.parse_args()
    generate(args.out, args.services, args.seed, heavy=args.heavy)


if __name__ == "__main__":
    main()
