"""Resolve the estate-wide parts of the model: redaction policies, alerting, GitOps."""

from __future__ import annotations

from compiler import model
from compiler.spec.models import EmailSettings, ProjectSpec, SecretRef, TimeIntervalSpec


def resolve_redaction_policies(spec: ProjectSpec) -> tuple[model.RedactionPolicy, ...]:
    """Every policy, sorted by name, patterns in a stable order."""
    return tuple(
        model.RedactionPolicy(
            name=policy.name,
            patterns=tuple(sorted(set(policy.patterns))),
            custom=tuple(
                model.CustomPattern(name=c.name, regex=c.regex)
                for c in policy.custom
                if c.regex is not None
            ),
            secret_patterns=tuple(
                model.SecretPattern(name=c.name, secret_ref=ref)
                for c in policy.custom
                if (ref := _secret_ref(c.secret_ref)) is not None
            ),
            drop_attributes=tuple(sorted(set(policy.drop_attributes))),
            replacement=policy.replacement,
        )
        for policy in sorted(spec.redaction_policies, key=lambda p: p.name)
    )


def resolve_alerting(spec: ProjectSpec) -> model.Alerting:
    """Receivers sorted by name; routes keep their order, which is their meaning."""
    alerting = spec.alerting
    receivers = tuple(
        model.Receiver(
            name=r.name,
            type=r.type,
            channel=r.channel,
            to=r.to,
            secret_ref=_secret_ref(r.secret_ref),
        )
        for r in sorted(alerting.receivers, key=lambda r: r.name)
    )
    routes = tuple(
        model.Route(
            match=tuple(sorted(route.match.items())),
            receiver=route.receiver,
            continue_=route.continue_,
            group_by=tuple(route.group_by) if route.group_by is not None else None,
            group_wait=route.group_wait,
            group_interval=route.group_interval,
            repeat_interval=route.repeat_interval,
            mute_time_intervals=tuple(route.mute_time_intervals),
            active_time_intervals=tuple(route.active_time_intervals),
        )
        for route in alerting.routes
    )
    return model.Alerting(
        receivers=receivers,
        routes=routes,
        default_receiver=alerting.default_receiver,
        email=_resolve_email(alerting.email),
        stack_team=alerting.stack_team,
        grafana_url=alerting.grafana_url.rstrip("/") if alerting.grafana_url else None,
        severities=model.Severities(
            page=tuple(alerting.severities.page), ticket=tuple(alerting.severities.ticket)
        ),
        time_intervals=tuple(
            model.NamedTimeInterval(
                name=named.name,
                time_intervals=tuple(_time_interval(t) for t in named.time_intervals),
            )
            for named in alerting.time_intervals
        ),
    )


def _resolve_email(email: EmailSettings | None) -> model.EmailSettings | None:
    """The SMTP settings as written; a missing one is only valid without email receivers."""
    if email is None:
        return None
    return model.EmailSettings(
        smarthost=email.smarthost,
        from_=email.from_,
        username=email.username,
        secret_ref=_secret_ref(email.secret_ref),
    )


def _secret_ref(ref: SecretRef | None) -> model.SecretRef | None:
    return model.SecretRef(name=ref.name, key=ref.key) if ref else None


def resolve_gitops(spec: ProjectSpec) -> model.GitOps | None:
    """Where the GitOps engine reads from, if the Project says."""
    if spec.gitops is None:
        return None
    return model.GitOps(
        engine=spec.gitops.engine,
        repo_url=spec.gitops.repo_url,
        revision=spec.gitops.revision,
        namespace=spec.gitops.namespace,
    )


def _time_interval(spec: TimeIntervalSpec) -> model.TimeIntervalModel:
    return model.TimeIntervalModel(
        times=tuple((t.start_time, t.end_time) for t in spec.times or ()),
        weekdays=tuple(spec.weekdays or ()),
        days_of_month=tuple(spec.days_of_month or ()),
        months=tuple(spec.months or ()),
        years=tuple(spec.years or ()),
        location=spec.location,
    )
