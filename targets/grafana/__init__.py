"""The `grafana` target: provisioned datasources, dashboard providers and dashboards.

Files, relative to `rendered/<env>/grafana/` (docs/contracts.md):

- `provisioning/datasources/datasources.yaml`: Prometheus, Loki, Tempo, Alertmanager;
- `provisioning/dashboards/dashboards.yaml`: one read-only file provider (folder) per team
  with SLOs, one for `obsc.services` and one for `obsc.stack`;
- `dashboards/obsc.services/<framework>.json`: the dashboard of every service of one
  framework, uid `obsc-fw-<framework>`, the service picked by its `service` variable
  (`/d/obsc-fw-<framework>?var-service=<service>`, service.py);
- `dashboards/<team>/slo-overview.json`: each team's SLO overview, uid `obsc-slo-<team>`;
- `dashboards/obsc.stack/stack.json`: the stack's own health, uid `obsc_stack` (stack.py).

Dashboards are plain dicts, not grafana-foundation-sdk builders. The SDK's typed builders
would catch misspelt fields, but it is a large generated dependency whose releases follow
Grafana's schema rather than the pinned Grafana, and it fills in its own defaults (a panel
`id`, plugin versions, ...) that would change our bytes whenever it is upgraded. The fields
obsc emits are few; tests check them against a JSON Schema, the real dashboard linter and a
PromQL parser instead.
"""

from __future__ import annotations

from itertools import groupby

from compiler.model import EnvironmentModel
from compiler.output.canonical import dump_json, dump_yaml
from compiler.render.contract import RenderedFiles, Target
from targets.grafana.datasources import datasources_document
from targets.grafana.names import OVERVIEW_FILE, SERVICES_FOLDER
from targets.grafana.overview import overview_dashboard, teams_with_overview
from targets.grafana.providers import providers_document
from targets.grafana.service import framework_dashboard
from targets.grafana.stack import DASHBOARD_FILE, has_stack_dashboard, stack_dashboard

DATASOURCES_FILE = "provisioning/datasources/datasources.yaml"
PROVIDERS_FILE = "provisioning/dashboards/dashboards.yaml"


def render_grafana(model: EnvironmentModel) -> RenderedFiles:
    """Every Grafana file of one environment.

    Every file is environment-wide (a framework's dashboard lists its services), so the
    target is not split per service: the whole of it costs less than reading one service's
    cached files back did when there was a dashboard per service.
    """
    files: RenderedFiles = {
        DATASOURCES_FILE: dump_yaml(datasources_document(model)),
        PROVIDERS_FILE: dump_yaml(providers_document(model)),
    }
    with_overview = teams_with_overview(model)
    for team in sorted(with_overview):
        overview = overview_dashboard(model, team)
        if overview is not None:
            files[f"dashboards/{team}/{OVERVIEW_FILE}"] = dump_json(overview)
    by_framework = sorted(model.services, key=lambda s: (s.framework, s.name))
    for framework, services in groupby(by_framework, key=lambda s: s.framework):
        board = framework_dashboard(model.environment, list(services), with_overview)
        files[f"dashboards/{SERVICES_FOLDER}/{framework}.json"] = dump_json(board)
    if has_stack_dashboard(model):
        files[DASHBOARD_FILE] = dump_json(stack_dashboard(model))
    return dict(sorted(files.items()))


TARGET = Target(
    name="grafana",
    description="Grafana datasources, dashboard providers, a dashboard per framework (the "
    "service a variable), an SLO overview per team and the stack's own dashboard",
    render=render_grafana,
)
