"""Names shared by the alerts target's files: identity labels, alert names, window suffixes."""

from __future__ import annotations

import functools

from compiler.model import ResolvedService, ResolvedSLO


@functools.lru_cache(maxsize=4096)
def camel(name: str) -> str:
    """`payment-gateway` -> `PaymentGateway` (alert names are CamelCase).

    Cached: a service's and an SLO's names are asked for by every rule and test case.
    """
    return "".join(part[:1].upper() + part[1:] for part in name.split("-"))


def sloth_id(service: ResolvedService, slo: ResolvedSLO) -> str:
    """Sloth's id of an SLO: `<service>-<slo>`."""
    return f"{service.name}-{slo.name}"


def identity(service: ResolvedService, slo: ResolvedSLO) -> dict[str, str]:
    """The labels every rule of an SLO carries (Sloth's, plus obsc's service/slo/team)."""
    return {
        "service": service.name,
        "slo": slo.name,
        "team": service.team,
        "sloth_id": sloth_id(service, slo),
        "sloth_service": service.name,
        "sloth_slo": slo.name,
    }


def selector(service: ResolvedService, slo: ResolvedSLO) -> str:
    """The matcher that selects one SLO's recorded series: `{service="x", slo="y"}`.

    The contract's two labels, which identify an SLO as Sloth's three do (docs/contracts.md;
    dashboards select by them too), in half the characters: the selector occurs about 30
    times per SLO in the rules, and the rule files are also shipped in the Helm chart.
    """
    return f'{{service="{service.name}", slo="{slo.name}"}}'


def burn_alert(service: ResolvedService, slo: ResolvedSLO) -> str:
    """The name of an SLO's burn-rate alert (one rule per severity)."""
    return f"{camel(service.name)}{camel(slo.name)}ErrorBudgetBurn"


def exhausted_alert(service: ResolvedService, slo: ResolvedSLO) -> str:
    """The name of an SLO's budget-exhausted alert."""
    return f"{camel(service.name)}{camel(slo.name)}ErrorBudgetExhausted"


def absent_alert(service: ResolvedService) -> str:
    """The name of a service's metrics-absent alert."""
    return f"{camel(service.name)}MetricsAbsent"
