"""`build_report`: gather every fact, draw the pictures, fill the page."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from markupsafe import Markup

from compiler.model import EnvironmentModel, ResolvedEstate
from compiler.report.changes import ChangeFacts, changes
from compiler.report.charts import burn_chart, moved_chart, profile_chart
from compiler.report.diagrams import pipeline_diagram, route_tree
from compiler.report.overview import by_team, service_rows, snapshot_confidence
from compiler.report.page import render_page
from compiler.report.pipelines import signal_pipelines
from compiler.report.policies import policy_facts
from compiler.report.redaction import coverage
from compiler.report.rendered import ALERTMANAGER, COLLECTOR, RenderedTree, open_tree
from compiler.report.routing import routing
from compiler.report.slos import (
    SLOFacts,
    environment_slos,
    profile_anchor,
    profile_key,
    profile_label,
)
from compiler.report.view import EnvironmentView, Profile, ReportView, TeamSLOs, is_large


def build_report(
    repo: Path,
    environments: Sequence[str] = (),
    against: str | None = None,
    rendered: Path | None = None,
    with_policies: bool = True,
) -> str:
    """The report page of `repo` (every environment unless some are named)."""
    from compiler.pipeline import load_estate
    from compiler.version import __version__

    estate = load_estate(repo)
    resolved = estate.resolved
    names = _environments(resolved, environments)
    tree = open_tree(rendered or repo / "rendered")
    confidence = snapshot_confidence(repo)
    views = tuple(_environment(resolved, resolved.environments[n], tree, confidence) for n in names)
    change_facts = changes(repo, resolved, names, against) if against else None
    first = resolved.environments[names[0]]
    view = ReportView(
        project=first.project,
        version=__version__,
        input_digest=resolved.input_digest,
        rendered=str(tree.root),
        stale=tree.input_digest != resolved.input_digest,
        environments=views,
        policies=policy_facts(repo, estate, names, with_policies),
        changes=change_facts,
        moved=_moved_charts(change_facts),
    )
    return render_page(view)


def _environments(resolved: ResolvedEstate, asked: Sequence[str]) -> list[str]:
    from compiler.errors import UsageError
    from compiler.spec.validate import did_you_mean

    known = list(resolved.environments)
    for name in asked:
        if name not in resolved.environments:
            hint = did_you_mean(name, known)
            raise UsageError(
                f"unknown environment {name!r} (known: {', '.join(known)}){hint and '; ' + hint}"
            )
    return list(dict.fromkeys(asked)) or known


def _environment(
    resolved: ResolvedEstate,
    model: EnvironmentModel,
    tree: RenderedTree,
    confidence: dict[str, float],
) -> EnvironmentView:
    env = model.environment
    teams = by_team(service_rows(resolved, model, confidence))
    slos = environment_slos(model)
    large = is_large(len(model.services))
    manager = tree.document(env, ALERTMANAGER)
    team_names = sorted({s.team for s in model.services} | {model.alerting.stack_team or ""} - {""})
    routes = routing(manager, team_names) if manager else None
    collector = tree.document(env, COLLECTOR, ("service", "connectors"))
    groups = signal_pipelines(collector) if collector else []
    return EnvironmentView(
        name=env,
        targets=model.targets,
        teams=tuple(teams),
        slos=tuple(_team_slos(slos, large)),
        profiles=tuple(_profiles(env, slos) if large else ()),
        routing=routes,
        route_tree=route_tree(routes.root) if routes else None,
        coverage=coverage(model),
        pipelines=tuple((g, pipeline_diagram(g)) for g in groups),
    )


def _team_slos(slos: list[SLOFacts], large: bool) -> list[TeamSLOs]:
    """SLOs by team; each with its own chart unless the environment is large."""
    teams: dict[str, list[tuple[SLOFacts, Markup | None]]] = {}
    for slo in slos:
        teams.setdefault(slo.team, []).append((slo, None if large else burn_chart(slo)))
    return [TeamSLOs(team, tuple(teams[team])) for team in sorted(teams)]


def _profiles(env: str, slos: list[SLOFacts]) -> list[Profile]:
    """One chart per objective and window (and alerting switched on or off)."""
    first: dict[tuple[object, ...], SLOFacts] = {}
    counts: dict[tuple[object, ...], int] = {}
    for slo in slos:
        key = profile_key(slo)
        first.setdefault(key, slo)
        counts[key] = counts.get(key, 0) + 1
    return [
        Profile(profile_anchor(env, slo), profile_label(slo), counts[key], profile_chart(slo))
        for key, slo in sorted(first.items(), key=lambda item: profile_label(item[1]))
    ]


def _moved_charts(facts: ChangeFacts | None) -> dict[str, Markup]:
    if facts is None:
        return {}
    return {
        f"{env.environment}/{move.key}": moved_chart(move.key, move.before, move.after)
        for env in facts.environments
        for move in env.slos
        if move.before is not None and move.after is not None
    }
