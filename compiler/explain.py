"""`obsc explain`: a resolved value and the chain of sources that produced it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from compiler.errors import UsageError
from compiler.model import Contribution, ResolvedEstate
from compiler.spec.validate import did_you_mean


@dataclass(frozen=True, slots=True)
class Explanation:
    """One resolved value in one environment, with every layer that had a say."""

    service: str
    environment: str
    path: str
    value: object
    chain: tuple[Contribution, ...]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _model_value(data: Any, parts: list[str]) -> tuple[bool, Any]:
    """Follow a dotted spec path into the dumped model (slos addressed by name)."""
    current = data
    for part in parts:
        if isinstance(current, dict):
            key = part if part in current else _snake(part)
            if key not in current:
                return False, None
            current = current[key]
        elif isinstance(current, list):
            named = [i for i in current if isinstance(i, dict) and i.get("name") == part]
            if not named:
                return False, None
            current = named[0]
        else:
            return False, None
    return True, current


def explain(
    resolved: ResolvedEstate, query: str, environments: tuple[str, ...] = ()
) -> list[Explanation]:
    """Explain `SERVICE[.field.path]` in the given environments (default: all it runs in)."""
    service, _, path = query.partition(".")
    known_envs = list(resolved.environments)
    for env in environments:
        if env not in resolved.environments:
            hint = did_you_mean(env, known_envs)
            raise UsageError(
                f"unknown environment {env!r} (known: {', '.join(known_envs)}). {hint}"
            )
    names = sorted({s for s, _ in resolved.provenance})
    if service not in names:
        hint = did_you_mean(service, names)
        raise UsageError(f"no service {service!r} in any environment. {hint}".strip())
    results: list[Explanation] = []
    for env_name in environments or tuple(known_envs):
        provenance = resolved.provenance.get((service, env_name))
        model = resolved.environments[env_name].service(service)
        if provenance is None or model is None:
            continue
        if not path:
            results.extend(
                Explanation(service, env_name, key, chain[-1].value, chain)
                for key, chain in provenance.chains.items()
            )
            continue
        chain = provenance.chains.get(path)
        if chain is not None:
            results.append(Explanation(service, env_name, path, chain[-1].value, chain))
            continue
        found, value = _model_value(model.model_dump(mode="json"), path.split("."))
        if not found:
            hint = did_you_mean(path, list(provenance.chains))
            raise UsageError(
                f"{service} has no field {path!r}; try `obsc explain {service}` to list them. "
                + hint
            )
        results.append(Explanation(service, env_name, path, value, ()))
    if not results:
        raise UsageError(f"service {service!r} is not enabled in {', '.join(environments)}")
    return results
