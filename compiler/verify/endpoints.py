"""Where the environment's stack answers: the Project's `endpoints`, overridden by flags.

Credentials are only ever referenced (an environment variable or a file, see
`compiler.spec.models.EndpointAuth`) and read here, at the moment they are needed. A URL
given by flag does not inherit the Project's credentials for that component: they were
meant for another address.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from compiler.errors import UsageError
from compiler.spec.models import Endpoint, EndpointAuth, Endpoints

COMPONENTS = (
    "prometheus",
    "alertmanager",
    "loki",
    "tempo",
    "grafana",
    "collector",
    "collector_metrics",
)


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    """One component's base URL and, from the Project only, how to authenticate."""

    component: str
    url: str
    auth: EndpointAuth | None = None
    origin: str = "flag"


def resolve_endpoints(
    environment: str, from_spec: Endpoints | None, flags: Mapping[str, str | None]
) -> dict[str, EndpointConfig]:
    """Every configured component's endpoint; a flag wins over the Project's entry."""
    found: dict[str, EndpointConfig] = {}
    for component in COMPONENTS:
        flag = flags.get(component)
        if flag:
            found[component] = EndpointConfig(component, _checked_url(flag, component))
            continue
        entry = getattr(from_spec, component, None) if from_spec is not None else None
        if isinstance(entry, str):
            found[component] = EndpointConfig(component, entry, None, _origin(environment))
        elif isinstance(entry, Endpoint):
            found[component] = EndpointConfig(
                component, entry.url, entry.auth, _origin(environment)
            )
    return found


def auth_headers(config: EndpointConfig) -> dict[str, str]:
    """The Authorization header the endpoint's auth asks for (read from env or file now)."""
    auth = config.auth
    if auth is None:
        return {}
    where = f"{config.origin}.{_camel(config.component)}.auth"
    if auth.bearer_token_env or auth.bearer_token_file:
        token = _secret(auth.bearer_token_env, auth.bearer_token_file, f"{where}.bearerToken")
        return {"Authorization": f"Bearer {token}"}
    user = auth.basic_auth_user or _secret(auth.basic_auth_user_env, None, f"{where}.basicAuth")
    password = _secret(
        auth.basic_auth_password_env, auth.basic_auth_password_file, f"{where}.basicAuthPassword"
    )
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def _secret(env: str | None, file: str | None, where: str) -> str:
    if env is not None:
        value = os.environ.get(env)
        if not value:
            raise UsageError(f"{where}Env names ${env}, which is not set (or empty)")
        return value
    if file is None:  # pragma: no cover - the spec model requires one of them
        raise UsageError(f"{where}: no environment variable or file given")
    try:
        return Path(file).expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise UsageError(f"{where}File: cannot read {file}: {exc.strerror}") from None


def _checked_url(url: str, component: str) -> str:
    if not url.startswith(("http://", "https://")) or "?" in url:
        flag = component.replace("_", "-")
        raise UsageError(f"--{flag} {url!r}: expected a base URL such as http://127.0.0.1:9090")
    return url


def _origin(environment: str) -> str:
    return f"environments[{environment}].endpoints"


def _camel(component: str) -> str:
    head, *rest = component.split("_")
    return head + "".join(part.title() for part in rest)
