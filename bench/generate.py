"""Generate a synthetic estate of N services: mixed frameworks, two SLOs each, several teams.

    python -m bench.generate OUT_DIR --services 1000 [--seed 1]

The estate is deterministic for a given N and seed. Latency thresholds are picked from
each framework's own histogram buckets, so every generated estate is valid.
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


def generate(out: Path, services: int, seed: int = 1) -> None:
    """Write specs/project.yaml and specs/services/<team>/*.yaml under `out`."""
    rng = random.Random(seed)
    frameworks = latency_frameworks()
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
    (specs / "project.yaml").write_text(PROJECT % {"receivers": receivers, "routes": routes})
    per_file = 50
    for start in range(0, services, per_file):
        team = TEAMS[(start // per_file) % len(TEAMS)]
        documents = []
        for index in range(start, min(start + per_file, services)):
            framework, threshold = frameworks[index % len(frameworks)]
            documents.append(
                SERVICE
                % {
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
            )
        folder = specs / "services" / team
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"batch-{start // per_file:04d}.yaml").write_text("---\n".join(documents))


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.services, args.seed)


if __name__ == "__main__":
    main()
