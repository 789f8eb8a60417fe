"""The stack's own rules and dashboard reach the cluster, and the collector is scraped under
the job its health rules select."""

from __future__ import annotations

from pathlib import Path

from compiler.output.collector_metrics import COLLECTOR_JOB
from targets.alerts.stack import RULE_FILE
from targets.grafana.stack import DASHBOARD_FILE
from tests.kube import helm_template, objects
from tests.realtools import Tool

TEMPLATES = Path(__file__).resolve().parents[2] / "targets" / "helm" / "chart" / "templates"


def test_the_chart_ships_the_stack_rules_and_dashboard(
    rendered_estates: dict[str, Path],
) -> None:
    chart = rendered_estates["example"] / "prod" / "helm" / "obs-stack"
    assert (chart / "files" / "alerts" / RULE_FILE).is_file()
    assert (chart / "files" / "grafana" / DASHBOARD_FILE).is_file()


def test_the_collector_pod_monitor_names_the_job_after_the_pods() -> None:
    # jobLabel takes the job from the pods' app.kubernetes.io/name, which the helpers set
    monitors = (TEMPLATES / "pod-monitors.yaml").read_text(encoding="utf-8")
    assert "jobLabel: app.kubernetes.io/name" in monitors
    helpers = (TEMPLATES / "_helpers.tpl").read_text(encoding="utf-8")
    assert f"app.kubernetes.io/name: {COLLECTOR_JOB}\n" in helpers


def test_helm_templates_the_stack_objects(real_tool: Tool, charts: dict[str, Path]) -> None:
    rendered = objects(helm_template(real_tool("helm"), charts["example/prod"]))
    by_name = {(o["kind"], o["metadata"]["name"]): o for o in rendered}
    rule = by_name[("PrometheusRule", "obs-stack-obsc.stack")]
    assert [g["name"] for g in rule["spec"]["groups"]] == ["obsc-stack-collector"]
    dashboard = by_name[("ConfigMap", "obs-stack-dashboard-obsc.stack-stack")]
    assert dashboard["metadata"]["annotations"]["grafana_folder"] == "obsc.stack"
    assert '"uid": "obsc_stack"' in dashboard["data"]["obsc.stack-stack.json"]
    monitor = by_name[("PodMonitor", "obs-stack-collector")]
    assert monitor["spec"]["jobLabel"] == "app.kubernetes.io/name"
    pods = by_name[("DaemonSet", "obs-stack-collector")]["spec"]["template"]["metadata"]
    assert pods["labels"]["app.kubernetes.io/name"] == COLLECTOR_JOB
