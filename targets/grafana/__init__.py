"""The `grafana` target: provisioned datasources, dashboard providers and dashboards.

Files, relative to `rendered/<env>/grafana/` (docs/contracts.md):

- `provisioning/datasources/datasources.yaml`: Prometheus, Loki, Tempo, Alertmanager;
- `provisioning/dashboards/dashboards.yaml`: one read-only file provider (folder) per team;
- `dashboards/<team>/<service>.json`: each service's dashboard, uid `obsc-<service>`;
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

from typing import Any

from compiler.model import EnvironmentModel, ResolvedService
from compiler.output.canonical import dump_json, dump_yaml
from targets.base import PerService, RenderedFiles, Target
from targets.grafana.datasources import datasources_document
from targets.grafana.names import OVERVIEW_FILE
from targets.grafana.overview import overview_dashboard, teams_with_overview
from targets.grafana.providers import providers_document, teams
from targets.grafana.service import service_dashboard
from targets.grafana.stack import DASHBOARD_FILE, has_stack_dashboard, stack_dashboard

DATASOURCES_FILE = "provisioning/datasources/datasources.yaml"
PROVIDERS_FILE = "provisioning/dashboards/dashboards.yaml"


def shared_files(model: EnvironmentModel) -> RenderedFiles:
    """Provisioning files, each team's SLO overview and the stack dashboard."""
    files: RenderedFiles = {
        DATASOURCES_FILE: dump_yaml(datasources_document(model)),
        PROVIDERS_FILE: dump_yaml(providers_document(model)),
    }
    for team in teams(model):
        overview = overview_dashboard(model, team)
        if overview is not None:
            files[f"dashboards/{team}/{OVERVIEW_FILE}"] = dump_json(overview)
    if has_stack_dashboard(model):
        files[DASHBOARD_FILE] = dump_json(stack_dashboard(model))
    return files


def service_context(model: EnvironmentModel) -> dict[str, Any]:
    """What a service's dashboard depends on besides the service."""
    return {
        "environment": model.environment,
        "teamsWithOverview": sorted(teams_with_overview(model)),
    }


def service_files(context: dict[str, Any], service: ResolvedService) -> RenderedFiles:
    """One service's dashboard (linked to its team's overview where there is one)."""
    with_overview = set(context["teamsWithOverview"])
    if f"{service.name}.json" == OVERVIEW_FILE and service.team in with_overview:
        # Only a service named like the overview file can collide; crossref should
        # reserve the name, this keeps a silent overwrite impossible meanwhile.
        raise ValueError(
            f"service {service.name!r} collides with dashboards/{service.team}/{OVERVIEW_FILE}"
        )
    path = f"dashboards/{service.team}/{service.name}.json"
    dashboard = service_dashboard(context["environment"], service, with_overview)
    return {path: dump_json(dashboard)}


SPLIT = PerService(shared=shared_files, context=service_context, service=service_files)


def render_grafana(model: EnvironmentModel) -> RenderedFiles:
    """Every Grafana file of one environment."""
    return SPLIT.render(model)


TARGET = Target(
    name="grafana",
    description="Grafana datasources, dashboard providers, a dashboard per service, an SLO "
    "overview per team and the stack's own dashboard",
    render=render_grafana,
    per_service=SPLIT,
)
