"""The orchestrator of `obsc verify`: expectation, endpoints, checks, retries, report."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from compiler.errors import UsageError
from compiler.verify import alertmanager, collector, grafana, loki, probe, prometheus, tempo
from compiler.verify.endpoints import auth_headers, resolve_endpoints
from compiler.verify.expected import Expected, ServiceExpectation, read_expected
from compiler.verify.http import Client
from compiler.verify.report import Report
from compiler.verify.results import Check
from compiler.verify.run import run_checks
from compiler.verify.scope import Scope


@dataclass(frozen=True, slots=True)
class VerifyRequest:
    """What `obsc verify` was asked: durations in seconds, flags by component name."""

    repo: Path
    environment: str
    rendered: Path | None = None
    flags: Mapping[str, str | None] = field(default_factory=dict)
    services: tuple[str, ...] = ()
    probe: bool = False
    wait: float = 0.0
    timeout: float = 5.0
    since: float = 300.0


def verify(request: VerifyRequest) -> Report:
    """Check the running environment against its rendered files; every check's result."""
    from compiler.pipeline import RENDERED_DIR, load_estate
    from compiler.spec.models import ProjectDocument
    from compiler.spec.validate import did_you_mean
    from compiler.version import __version__

    started = time.monotonic()
    estate = load_estate(request.repo)
    name = request.environment
    if name not in estate.resolved.environments:
        known = sorted(estate.resolved.environments)
        hint = did_you_mean(name, known)
        raise UsageError(
            f"unknown environment {name!r}; the Project has {', '.join(known)}"
            + (f" ({hint})" if hint else "")
        )
    project = ProjectDocument.model_validate(estate.project_document.data)
    spec = next(e for e in project.spec.environments if e.name == name)
    endpoints = resolve_endpoints(name, spec.endpoints, request.flags)
    if not endpoints:
        raise UsageError(
            f"no endpoints for environment {name!r}: pass --prometheus URL (and --loki, "
            "--tempo, --alertmanager, --grafana, --collector) or set the environment's "
            "`endpoints` in the Project"
        )
    rendered = request.rendered or request.repo / RENDERED_DIR
    expected = read_expected(rendered, name, estate.resolved.input_digest, __version__)
    clients = {
        component: Client(component, config.url, auth_headers(config), request.timeout)
        for component, config in endpoints.items()
    }
    scope = Scope(expected, clients, _selected(expected, request.services), request.since)
    checks = plan(scope, request.probe, request.services)
    interval = min(2.0, max(0.2, request.wait / 20))
    results = run_checks(checks, request.wait, interval)
    return Report(name, tuple(results), time.monotonic() - started)


def plan(scope: Scope, with_probe: bool, chosen: tuple[str, ...]) -> list[Check]:
    """Every check, components first (their `reachable` gates the rest), then services."""
    checks = [
        *prometheus.component_checks(scope),
        *alertmanager.checks(scope),
        *loki.component_checks(scope),
        *tempo.component_checks(scope),
        *collector.checks(scope),
        *grafana.checks(scope),
    ]
    for service in scope.services:
        checks.extend(prometheus.service_checks(scope, service))
        checks.append(loki.service_check(scope, service))
        checks.append(tempo.service_check(scope, service))
    if with_probe:
        checks.extend(probe.probe_checks(scope, chosen))
    return checks


def _selected(expected: Expected, names: tuple[str, ...]) -> tuple[ServiceExpectation, ...]:
    if not names:
        return expected.services
    from compiler.spec.validate import did_you_mean

    known = {s.name: s for s in expected.services}
    for name in names:
        if name not in known:
            hint = did_you_mean(name, sorted(known))
            raise UsageError(
                f"--service {name}: no such service in environment {expected.environment!r}"
                + (f" ({hint})" if hint else "")
            )
    return tuple(known[name] for name in dict.fromkeys(names))
