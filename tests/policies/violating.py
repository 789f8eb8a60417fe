"""Generated estates that break the default policy pack in many ways, for equivalence tests.

Every default rule is broken by some services, several rules by the same service, in both
environments or only in prod, with waivers on some: the errors of a whole-environment
`cue vet` come in every order cue sorts them in (conflicts, list constraints, bounds,
custom errors).
"""

from __future__ import annotations

import random
from pathlib import Path

PROJECT = """\
apiVersion: obsc.dev/v1
kind: Project
metadata:
  name: violating
spec:
  environments:
    - name: dev
      targets: [model]
      sampling: 1.0
    - name: prod
      targets: [model]
      sampling: 0.1
  redactionPolicies:
    - name: pii-strict
      patterns: [email, credit_card]
    - name: pii-light
      patterns: [email]
  alerting:
    receivers:
      - name: payments-pager
        type: pagerduty
        secretRef: {name: alertmanager-secrets, key: pagerduty-payments}
      - name: payments-chat
        type: slack
        channel: "#payments"
        secretRef: {name: alertmanager-secrets, key: slack-payments}
      - name: catalog-chat
        type: slack
        channel: "#catalog"
        secretRef: {name: alertmanager-secrets, key: slack-catalog}
    routes:
      - match: {team: payments, severity: page}
        receiver: payments-pager
      - match: {team: payments}
        receiver: payments-chat
    defaultReceiver: catalog-chat
"""


def _service(rng: random.Random, index: int) -> str:
    name = f"svc-{index:04d}"
    lines = [
        "apiVersion: obsc.dev/v1",
        "kind: Service",
        "metadata:",
        f"  name: {name}",
        f"  team: {rng.choice(('payments', 'catalog'))}",
        f"  tier: {rng.choice((1, 1, 2, 3))}",
    ]
    labels = []
    if rng.random() < 0.3:
        labels.append(f'pci: "{rng.choice(("true", "false"))}"')
    if rng.random() < 0.15:
        labels.append(f"{rng.choice(('user_id', 'session_id', 'email'))}: x")
    if labels:
        lines.append(f"  labels: {{{', '.join(labels)}}}")
    lines += ["spec:", "  framework: flask"]
    redaction = rng.choice(("pii-strict", "pii-light", None))
    if redaction:
        lines.append(f"  redaction: {redaction}")
    lines.append(f"  sampling: {rng.choice(('0.1', '0.3', '0.5'))}")
    if rng.random() < 0.7:
        lines.append(f"  runbook: https://runbooks.example.com/{name}")
    lines += [
        "  slos:",
        "    - name: availability",
        f"      objective: {rng.choice(('99.5', '99.9', '99.95'))}",
        f"      window: {rng.choice(('3d', '28d', '30d', '120d'))}",
        "      sli: {kind: availability}",
    ]
    if rng.random() < 0.7:
        lines += [
            "    - name: latency",
            "      objective: 99",
            f"      window: {rng.choice(('5d', '28d'))}",
            "      sli: {kind: latency, threshold: 250ms}",
        ]
    if rng.random() < 0.3:
        lines += [
            "  alerts:",
            "    - name: queue-backlog",
            f"      expr: 'app_queue_depth{{service=\"{name}\"}} > 100'",
            "      for: 5m",
            f"      severity: {rng.choice(('page', 'ticket'))}",
            "      summary: The queue is backing up",
        ]
        if rng.random() < 0.4:
            lines.append("      runbook: https://runbooks.example.com/queue")
    if rng.random() < 0.2:
        rule = rng.choice(("tier1-runbook", "prod-sampling-cap", "tier1-latency-slo"))
        lines += ["  waivers:", f"    - rule: {rule}", "      reason: generated for a test"]
    if rng.random() < 0.5:
        lines += ["  environments:", f"    prod: {{sampling: {rng.choice(('0.1', '0.4'))}}}"]
    return "\n".join(lines) + "\n"


def write_estate(root: Path, services: int, seed: int = 7) -> None:
    """specs/project.yaml and specs/services/*.yaml of a policy-violating estate."""
    rng = random.Random(seed)
    folder = root / "specs" / "services"
    folder.mkdir(parents=True)
    (root / "specs" / "project.yaml").write_text(PROJECT)
    per_file = 20
    for start in range(0, services, per_file):
        documents = [_service(rng, i) for i in range(start, min(start + per_file, services))]
        (folder / f"batch-{start // per_file:03d}.yaml").write_text("---\n".join(documents))


def change_one(root: Path, index: int) -> None:
    """Change service `index`'s availability objective (tier-1 services then break a rule)."""
    for path in sorted((root / "specs" / "services").glob("*.yaml")):
        text = path.read_text()
        marker = f"  name: svc-{index:04d}\n"
        if marker not in text:
            continue
        head, rest = text.split(marker, 1)
        for old, new in (
            ("objective: 99.95", "objective: 99.5"),
            ("objective: 99.9\n", "objective: 99.5\n"),
            ("objective: 99.5", "objective: 99.95"),
        ):
            if old in rest.split("---", 1)[0]:
                path.write_text(head + marker + rest.replace(old, new, 1))
                return
    raise AssertionError(f"no service {index}")
