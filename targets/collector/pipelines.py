"""Grouping services by how their signals must be processed, and the pipelines that do it.

Every signal enters one `ingest` pipeline (memory limiter, metadata, identity), which hands
it to a `forward` connector; one pipeline per *group* takes it from there, keeps only its
group's services (filter), redacts with their policy and, for traces, samples at their
ratio. Services that share a policy (and a ratio) share a group, so most estates have a
handful of pipelines however many services they hold.

Signals from services the estate does not declare go to the group `unlisted`, which applies
every redaction policy used in the environment (fail closed) and keeps all traces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from compiler.model import EnvironmentModel
from targets.collector.ottl import literal

SERVICE_NAME = 'resource.attributes["service.name"]'


@dataclass(frozen=True, slots=True)
class Group:
    """Services whose signals get the same treatment."""

    name: str
    policies: tuple[str, ...]
    sampling: float | None  # traces only; None for logs and metrics
    members: tuple[str, ...]
    unlisted: bool

    def drop_condition(self, known: tuple[str, ...]) -> str | None:
        """OTTL condition true for signals that are not this group's, None to keep all."""
        if not self.unlisted:
            return f"not {service_matches(self.members)}"
        others = tuple(n for n in known if n not in self.members)
        return service_matches(others) if others else None


def service_matches(names: Iterable[str]) -> str:
    """OTTL condition: the signal's service is one of `names`."""
    return f"IsMatch({SERVICE_NAME}, {literal('^(' + '|'.join(names) + ')$')})"


def percent(ratio: float) -> str:
    """A sampling ratio as a short percentage for names: 0.1 -> 10, 0.005 -> 0.5."""
    return f"{ratio * 100:.6g}"


def groups(model: EnvironmentModel, traces: bool) -> list[Group]:
    """The groups of one signal kind; trace groups also split by sampling ratio."""
    used = tuple(sorted({s.redaction for s in model.services if s.redaction is not None}))
    unlisted_key: tuple[tuple[str, ...], float | None] = (used, 1.0 if traces else None)
    members: dict[tuple[tuple[str, ...], float | None], list[str]] = {}
    for service in model.services:
        policies: tuple[str, ...] = (service.redaction,) if service.redaction is not None else ()
        key = (policies, service.sampling if traces else None)
        members.setdefault(key, []).append(service.name)
    keys = sorted(set(members) | {unlisted_key}, key=lambda k: (k[0], -(k[1] or 0.0)))
    out: list[Group] = []
    for key in keys:
        policies, sampling = key
        is_unlisted = key == unlisted_key
        names = tuple(sorted(members.get(key, ())))
        label = (
            "unlisted"
            if is_unlisted and not names
            else ("redact-" + ".".join(policies) if policies else "plain")
        )
        if traces and not (is_unlisted and not names):
            label += f"_{percent(sampling or 1.0)}pct"
        out.append(Group(label, policies, sampling, names, is_unlisted))
    return out
