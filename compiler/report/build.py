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
    percent,
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
        rendered=_shown(tree.root, repo),
        stale=tree.input_digest != resolved.input_digest,
        environments=views,
        policies=policy_facts(repo, estate, names, with_policies),
        changes=change_facts,
        moved=_moved_charts(change_facts),
    )
    return render_page(view)


def _shown(path: Path, repo: Path) -> str:
    """`path` relative to the repo when inside it: the same specs, the same page, anywhere."""
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return str(path)


def _environments(resolved: ResolvedEstate, asked: Sequence[str]) -> list[str]:
    """The environments asked for (all by default), checked as `render` and `diff` check them."""
    from compiler.pipeline import environment_targets, select_pairs

    declared = environment_targets(resolved)
    return list(dict.fromkeys(env for env, _ in select_pairs(declared, asked, ())))


def _environment(
    resolved: ResolvedEstate,
    model: EnvironmentModel,
    tree: RenderedTree,
    confidence: dict[str, float],
) -> EnvironmentView:
    env = model.environment
    teams = by_team(service_rows(resolved, model, confidence))
    slos = environment_slos(model)
    if is_large(len(model.services)):
        teams_slos, profiles = _team_rows(env, slos)
    else:
        teams_slos, profiles = _team_slos(slos), []
    manager = tree.document(env, ALERTMANAGER)
    team_names = sorted({s.team for s in model.services} | {model.alerting.stack_team or ""} - {""})
    routes = routing(manager, team_names) if manager else None
    collector = tree.document(env, COLLECTOR, ("service", "connectors"))
    groups = signal_pipelines(collector) if collector else []
    return EnvironmentView(
        name=env,
        targets=model.targets,
        teams=tuple(teams),
        slos=tuple(teams_slos),
        profiles=tuple(profiles),
        routing=routes,
        route_tree=route_tree(routes.root) if routes else None,
        coverage=coverage(model),
        pipelines=tuple((g, pipeline_diagram(g)) for g in groups),
    )


def _team_slos(slos: list[SLOFacts]) -> list[TeamSLOs]:
    """SLOs by team, each with its own chart."""
    teams: dict[str, list[tuple[SLOFacts, Markup]]] = {}
    for slo in slos:
        teams.setdefault(slo.team, []).append((slo, burn_chart(slo)))
    return [TeamSLOs(team, slos=tuple(teams[team])) for team in sorted(teams)]


def _team_rows(env: str, slos: list[SLOFacts]) -> tuple[list[TeamSLOs], list[Profile]]:
    """SLOs by team as rows naming their profile, and the profiles (one chart each)."""
    counts: dict[tuple[object, ...], int] = {}
    for slo in slos:
        counts[profile_key(slo)] = counts.get(profile_key(slo), 0) + 1
    profiles: dict[tuple[object, ...], Profile] = {}
    teams: dict[str, list[tuple[str, Profile]]] = {}
    for slo in slos:
        key = profile_key(slo)
        profile = profiles.get(key) or profiles.setdefault(key, _profile(env, slo, counts[key]))
        teams.setdefault(slo.team, []).append((slo.key, profile))
    rows = [TeamSLOs(team, rows=tuple(teams[team])) for team in sorted(teams)]
    return rows, sorted(profiles.values(), key=lambda p: p.label)


def _profile(env: str, slo: SLOFacts, count: int) -> Profile:
    def thresholds(severity: str) -> str:
        return ", ".join(
            percent(p.threshold) + ("" if p.enabled else " (off)")
            for p in slo.pairs
            if p.severity == severity
        )

    return Profile(
        anchor=profile_anchor(env, slo),
        label=profile_label(slo),
        count=count,
        chart=profile_chart(slo),
        budget=percent(slo.budget),
        outage=f"{slo.outage_minutes:.1f} min",
        pages=thresholds("page"),
        tickets=thresholds("ticket"),
    )


def _moved_charts(facts: ChangeFacts | None) -> dict[str, Markup]:
    if facts is None:
        return {}
    return {
        f"{env.environment}/{move.key}": moved_chart(move.key, move.before, move.after)
        for env in facts.environments
        for move in env.slos
        if move.before is not None and move.after is not None
    }
