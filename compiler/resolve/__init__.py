"""Resolve: merge framework defaults, snapshots, environments and services, with provenance.

The layers are small pure functions (`layers.LAYERS`) applied in a fixed order; this
module runs them for every service in every environment and assembles the frozen model.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from compiler.errors import DiagnosticSink
from compiler.frameworks import FrameworkEntry
from compiler.model import EnvironmentModel, Provenance, ResolvedEstate, ResolvedService
from compiler.resolve import layers
from compiler.resolve.agents import check_agent_injection
from compiler.resolve.compose import UserCompose, read_user_compose, resolve_compose
from compiler.resolve.layers import Layer, LayerInput, Values
from compiler.resolve.memo import ResolveMemo
from compiler.resolve.metric_names import counter_renames, platform_of
from compiler.resolve.own_alerts import health_panels, own_alerts, propagated_labels
from compiler.resolve.project import resolve_alerting, resolve_gitops, resolve_redaction_policies
from compiler.resolve.provenance import LazyProvenance
from compiler.resolve.retention import check_retention
from compiler.resolve.service import build_service, exporter_name_fits
from compiler.resolve.stack import resolve_pins, resolve_stack
from compiler.resolve.workloads import (
    check_workloads,
    instrumentation_namespace,
    resolve_workload,
    workload_source,
)
from compiler.spec.models import ServiceDocument, SnapshotDocument
from compiler.spec.paths import spec_path
from compiler.spec.validate import Parsed, SpecSet

__all__ = ["UserCompose", "read_user_compose", "resolve_estate"]


def resolve_estate(
    specs: SpecSet,
    frameworks: dict[str, FrameworkEntry],
    input_digest: str,
    sink: DiagnosticSink,
    user_compose: UserCompose | None = None,
    only: Collection[str] = (),
    memo: ResolveMemo | None = None,
) -> ResolvedEstate:
    """Resolve every environment, or the ones named in `only`; defects go to `sink`.

    `user_compose` is the compose file the Project names, as `read_user_compose` read it.
    An environment left out is neither resolved nor checked (`render --env`): the model of
    one that is resolved is the same either way. The caller raises once. A `memo` may
    recall a service as resolved before from the same inputs; its provenance is then
    computed when asked (LazyProvenance). The checks across services always run.
    """
    project = specs.projects[0]
    spec = project.model.spec
    snapshots = {s.model.metadata.name: s for s in specs.snapshots}
    inputs: list[LayerInput] = []
    for parsed in sorted(specs.services, key=lambda s: s.model.metadata.name):
        framework = _framework_of(parsed, snapshots, frameworks, sink)
        if framework is not None and exporter_name_fits(parsed, framework, sink):
            snap = snapshots.get(parsed.model.metadata.name)
            inputs.append(
                LayerInput(parsed, framework, snap, spec.environments[0], 0, project.document)
            )
    # Layers that do not read the environment are computed once per service (if resolved).
    shared: list[dict[Layer, Values] | None] = [None] * len(inputs)
    alerting = resolve_alerting(spec)
    common = {
        "project": project.model.metadata.name,
        "project_labels": tuple(sorted(project.model.metadata.labels.items())),
        "redaction_policies": resolve_redaction_policies(spec),
        "alerting": alerting,
        "gitops": resolve_gitops(spec),
        "compose": resolve_compose(spec.compose, user_compose),
    }
    pins = resolve_pins(project, sink)
    workloads = {
        ctx.service.model.metadata.name: source
        for ctx in inputs
        if (source := workload_source(ctx.service, ctx.snapshot)) is not None
    }
    namespace = instrumentation_namespace(project.model)
    checked: set[str] = set()
    environments: dict[str, EnvironmentModel] = {}
    provenance = LazyProvenance()
    for env_index, env in enumerate(spec.environments):
        if only and env.name not in only:
            continue
        services: list[ResolvedService] = []
        for index, base in enumerate(inputs):
            name = base.service.model.metadata.name
            file = base.service.document.file
            recalled = memo.recall(file, env.name, name) if memo is not None else None
            if isinstance(recalled, ResolvedService):
                provenance.later((name, env.name), base, env, env_index)
                services.append(recalled)
                continue
            if recalled is not None:  # switched off in this environment
                continue
            ctx = replace(base, environment=env, environment_index=env_index)
            cached = shared[index]
            if cached is None:
                cached = shared[index] = {
                    layer: layer(base)
                    for layer in layers.LAYERS
                    if layer not in layers.PER_ENVIRONMENT
                }
            chains = layers.merge(
                cached[layer] if layer in cached else layer(ctx) for layer in layers.LAYERS
            )
            enabled = chains.get("enabled")
            if enabled and enabled[-1].value is False:
                if memo is not None:
                    memo.keep(file, env.name, name, None)
                continue
            provenance.add(Provenance(name, env.name, chains))
            said = len(sink.items)
            resolved = build_service(
                base.service, base.framework, chains, sink, platform_of(tuple(env.targets))
            )
            if resolved is not None:
                labels = propagated_labels(spec.alerting.propagate_labels, base.service)
                kind = base.framework.parsed.model.spec
                renames = counter_renames(kind, platform_of(tuple(env.targets)))
                alerts = own_alerts(
                    base.service,
                    resolved.runbook,
                    env.name,
                    kind.alerts,
                    renames,
                    alerting.severities,
                )
                update: dict[str, object] = {"alert_labels": labels, "alerts": alerts}
                update["health_panels"] = health_panels(kind.panels, renames)
                update["inject_agent"] = base.service.model.spec.instrumentation.inject
                if (platform := chains.get("instrumentation.platform")) is not None:
                    update["agent_platform"] = platform[-1].value
                if name in workloads:
                    update["workload"] = resolve_workload(workloads[name], resolved, namespace)
                resolved = resolved.model_copy(update=update)
                services.append(resolved)
            if memo is not None:
                if len(sink.items) != said or resolved is None:
                    memo.spoke(file)
                else:
                    memo.keep(file, env.name, name, resolved)
        environments[env.name] = EnvironmentModel(
            environment=env.name,
            targets=tuple(env.targets),
            services=tuple(services),
            stack=resolve_stack(pins, spec.stack, services),
            **common,  # type: ignore[arg-type]
        )
        check_workloads(environments[env.name], env, env_index, workloads, project, sink, checked)
    check_retention(project, {name: env.stack for name, env in environments.items()}, sink)
    check_agent_injection((ctx.service for ctx in inputs), environments, sink)
    return ResolvedEstate(environments, provenance, input_digest)


def _framework_of(
    parsed: Parsed[ServiceDocument],
    snapshots: dict[str, Parsed[SnapshotDocument]],
    frameworks: dict[str, FrameworkEntry],
    sink: DiagnosticSink,
) -> FrameworkEntry | None:
    """The service spec's framework, else the snapshot's; reported when there is neither."""
    name = parsed.model.spec.framework
    snapshot = snapshots.get(parsed.model.metadata.name)
    if name is None and snapshot is not None:
        name = snapshot.model.spec.framework
    if name is None:
        doc = parsed.document
        sink.error(
            "OBSC307",
            f"service {parsed.model.metadata.name!r} has no framework and no snapshot names one",
            doc.location(("spec",)),
            spec_path(doc, ("spec",)),
            hint="set spec.framework (e.g. flask, or generic), or run `obsc detect --write`",
        )
        return None
    return frameworks.get(name)
