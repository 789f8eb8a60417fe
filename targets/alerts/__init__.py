"""The `alerts` target: SLO rules with generated promtool tests, Alertmanager and Loki rules.

Files (see docs/contracts.md): `rules/<service>.rules.yaml` (SLO rules and the service's own
alerts, own_alerts.py), `tests/<service>.test.yaml`,
`alertmanager.yaml`, `loki/rules.yaml`, and the collector's health rules with their test,
`rules/obsc.stack.rules.yaml` and `tests/obsc.stack.test.yaml` (stack.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from compiler.model import EnvironmentModel, ResolvedService
from compiler.output.canonical import dump_yaml
from compiler.render.contract import (
    JSONValue,
    PerService,
    RenderedFiles,
    RendererFn,
    Spliced,
    Target,
)
from targets.alerts.alertmanager import alertmanager_config, render_alertmanager
from targets.alerts.context import alerting_of, service_context
from targets.alerts.loki import loki_frame, loki_piece
from targets.alerts.own_alerts import own_alert_groups, own_alert_tests
from targets.alerts.settings import HELP, parse_webhook, webhook_receivers
from targets.alerts.slo_rules import service_alert_rules, service_rule_groups
from targets.alerts.slo_tests import service_test_file
from targets.alerts.stack import stack_files


def shared_files(model: EnvironmentModel) -> RenderedFiles:
    """The environment-wide files but the Loki rules: Alertmanager and collector-health rules."""
    return {"alertmanager.yaml": render_alertmanager(model), **stack_files(model)}


def service_files(context: dict[str, JSONValue], service: ResolvedService) -> RenderedFiles:
    """One service's SLO rules and own alerts, and the promtool test of both."""
    grafana_url, severities = alerting_of(context)
    alerts_by_slo = service_alert_rules(service, grafana_url, severities)
    groups = service_rule_groups(
        service, grafana_url, severities, alerts_by_slo
    ) + own_alert_groups(service, grafana_url, severities)
    if not groups:
        return {}
    rule_file = f"rules/{service.name}.rules.yaml"
    files = {rule_file: dump_yaml({"groups": groups})}
    test = service_test_file(service, f"../{rule_file}", grafana_url, severities, alerts_by_slo)
    own_tests = own_alert_tests(service, grafana_url, severities)
    if test is None and own_tests:
        test = {"rule_files": [f"../{rule_file}"], "evaluation_interval": "1m", "tests": []}
    if test is not None:
        test["tests"] = [*test["tests"], *own_tests]
        files[f"tests/{service.name}.test.yaml"] = dump_yaml(test)
    return files


SPLIT = PerService(shared=shared_files, context=service_context, service=service_files)
LOKI_RULES = Spliced(
    path="loki/rules.yaml", frame=loki_frame, piece=loki_piece, context=service_context
)


def render_alerts(model: EnvironmentModel) -> RenderedFiles:
    """Every file of the alerts target for one environment."""
    return dict(sorted({**SPLIT.render(model), **LOKI_RULES.render(model)}.items()))


def configure(values: Mapping[str, str]) -> RendererFn:
    """A renderer with `--set alerts.*` overrides applied (ValueError on bad ones)."""
    webhook = parse_webhook(values)

    def render(model: EnvironmentModel) -> RenderedFiles:
        files = render_alerts(model)
        if webhook is not None:
            config = webhook_receivers(alertmanager_config(model), webhook)
            files["alertmanager.yaml"] = dump_yaml(config)
        return files

    return render


TARGET = Target(
    name="alerts",
    description="Prometheus SLO rules with promtool tests, Alertmanager config, Loki rules",
    render=render_alerts,
    per_service=SPLIT,
    spliced=LOKI_RULES,
    settings=HELP,
    configure=configure,
)
