"""How long the stack's Prometheus and Loki keep data, per environment.

Prometheus must keep at least the longest SLO window of the environment's services, or
every `[30d]` ratio, "error budget remaining" panel and budget-exhausted alert is computed
over only the data that is left. On top of the window it keeps a margin of 2 days
(`PROMETHEUS_MARGIN`): a window's first point needs the samples a `rate` looks back over,
and the margin lets someone look back at a budget as it stood a day or two ago (the
Monday after a weekend's burn) for about 7% more storage on a 30-day window. Without SLOs
Prometheus keeps its upstream default of 15 days.

Loki keeps logs for 30 days unless the Project says otherwise: long enough to read the logs
behind any burn of a 30-day error budget, bounded so the disk does not grow forever (Loki's
own default, 0, keeps everything). Its compactor applies retention per 24-hour index table,
so it cannot keep less than 24 hours (Loki's documented minimum).

The Project may raise either (`spec.stack.<prometheus|loki>.retention`); a value below the
minimum is an OBSC320 error at that value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from compiler.errors import DiagnosticSink
from compiler.model import ResolvedService, Retention, Stack
from compiler.spec.models import ProjectDocument
from compiler.spec.paths import spec_path
from compiler.spec.types import duration_seconds
from compiler.spec.validate import Parsed

DAY = 86_400
PROMETHEUS_MARGIN = 2 * DAY
PROMETHEUS_DEFAULT = 15 * DAY
LOKI_DEFAULT = 30 * DAY
LOKI_MINIMUM = DAY

# Largest first: a duration is written in the largest unit that divides it exactly.
_UNITS = (("d", DAY), ("h", 3_600), ("m", 60), ("s", 1))


def format_duration(seconds: int) -> str:
    """`32d`, `36h`, `90m`: one unit, which Prometheus and Loki both parse."""
    for unit, size in _UNITS:
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    raise AssertionError("unreachable: every whole number of seconds has a unit")


def _whole_seconds(value: str) -> int:
    """A spec duration in whole seconds (a retention of fractions of a second means nothing)."""
    return max(1, round(duration_seconds(value)))


def prometheus_retention(chosen: str | None, services: Iterable[ResolvedService]) -> Retention:
    """The longest SLO window plus the margin, or the Project's choice."""
    longest: tuple[int, str, str] | None = None
    for service in services:
        for slo in service.slos:
            window = round(slo.window_seconds)
            if longest is None or window > longest[0]:
                longest = (window, slo.window, f"{service.name}/{slo.name}")
    if longest is None:
        minimum, required_by = None, None
        default = PROMETHEUS_DEFAULT
    else:
        minimum = longest[0] + PROMETHEUS_MARGIN
        required_by = (
            f"the {longest[1]} window of SLO {longest[2]}, "
            f"plus a {format_duration(PROMETHEUS_MARGIN)} margin"
        )
        default = minimum
    return _retention(chosen, default, minimum, required_by)


def loki_retention(chosen: str | None) -> Retention:
    """30 days, or the Project's choice; never under Loki's 24-hour minimum."""
    return _retention(
        chosen, LOKI_DEFAULT, LOKI_MINIMUM, "Loki's compactor applies retention per 24h index table"
    )


def _retention(
    chosen: str | None, default: int, minimum: int | None, required_by: str | None
) -> Retention:
    period = _whole_seconds(chosen) if chosen is not None else default
    return Retention(
        period=format_duration(period),
        period_seconds=period,
        minimum=format_duration(minimum) if minimum is not None else None,
        minimum_seconds=minimum,
        required_by=required_by,
    )


def check_retention(
    project: Parsed[ProjectDocument], stacks: Mapping[str, Stack], sink: DiagnosticSink
) -> None:
    """OBSC320 at each retention the Project sets below what an environment needs.

    One error per setting, naming the environment that needs the most.
    """
    for component in ("prometheus", "loki"):
        worst: tuple[int, str, Retention] | None = None
        for environment, stack in stacks.items():
            retention: Retention = getattr(stack, component).retention
            needed = retention.minimum_seconds
            if needed is None or retention.period_seconds >= needed:
                continue
            if worst is None or needed > worst[0]:
                worst = (needed, environment, retention)
        if worst is not None:
            _report(project, component, worst[1], worst[2], sink)


def _report(
    project: Parsed[ProjectDocument],
    component: str,
    environment: str,
    retention: Retention,
    sink: DiagnosticSink,
) -> None:
    path = ("spec", "stack", component, "retention")
    document = project.document
    sink.error(
        "OBSC320",
        f"{component} retention {retention.period} is shorter than environment "
        f"{environment!r} needs: at least {retention.minimum} ({retention.required_by})",
        document.location(path),
        spec_path(document, path),
        hint=f"set it to {retention.minimum} or more, or remove it to use obsc's default",
    )
