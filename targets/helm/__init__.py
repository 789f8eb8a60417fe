"""The `helm` target: a Helm chart packaging the environment's observability stack.

Files, relative to `rendered/<env>/helm/`, all under `obs-stack/`:

- `Chart.yaml`: version `0.1.0+<digest of the chart's other files>` (chart.py), appVersion
  the collector version of the environment's stack;
- `values.yaml`, `values.schema.json`: the environment's resolved settings (values.py,
  schema.py);
- `files/`: what the collector, alerts and grafana targets render for the environment,
  rule files split to fit an object (files.py);
- `templates/`: the same for every environment (targets/helm/chart/templates/): the
  collector (DaemonSet tailing /var/log/pods, ConfigMap, OTLP Service, ServiceAccount and
  RBAC for k8s_attributes), PrometheusRules, Loki rule ConfigMaps, dashboard and datasource
  ConfigMaps for the Grafana sidecar, the Alertmanager config Secret (no credentials),
  OpenTelemetry Operator Instrumentations, PodMonitors, and ExternalName Services mapping
  `loki`, `tempo` and `prometheus` to the real backends.
"""

from __future__ import annotations

from collections.abc import Mapping

from compiler.model import EnvironmentModel
from compiler.output.canonical import dump_json, dump_yaml
from compiler.render.contract import RenderedFiles, Target, assembled_only
from targets.helm.chart import CHART_NAME, chart_templates, chart_yaml
from targets.helm.files import chart_files
from targets.helm.schema import values_schema
from targets.helm.values import chart_values

CONSUMES = ("collector", "alerts", "grafana")


def assemble_chart(model: EnvironmentModel, inputs: Mapping[str, bytes]) -> RenderedFiles:
    """The chart of one environment from its collector, alerts and grafana files."""
    files: dict[str, bytes] = {
        "values.yaml": dump_yaml(chart_values(model)),
        "values.schema.json": dump_json(values_schema()),
        **chart_templates(),
        **chart_files(inputs),
    }
    files["Chart.yaml"] = chart_yaml(model, files)
    return {f"{CHART_NAME}/{path}": content for path, content in sorted(files.items())}


TARGET = Target(
    name="helm",
    description="Helm chart: the collector as a DaemonSet, PrometheusRules, PodMonitors, "
    "Grafana dashboards and datasources, Loki rules, Alertmanager config, Instrumentations",
    render=assembled_only("helm", CONSUMES),
    consumes=CONSUMES,
    assemble=assemble_chart,
)
