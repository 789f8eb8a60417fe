"""The backend versions obsc pins when a Project's `stack` does not name one.

Kept in one place so that bumping a version is a one-line, reviewable change; every pin
is an upstream release whose config keys the targets are written against.
"""

from __future__ import annotations

from compiler.model import Stack, StackComponent
from compiler.spec.models import Stack as StackSpec

# component: (image repository, default version, tag prefix the image uses)
DEFAULT_STACK: dict[str, tuple[str, str, str]] = {
    "collector": ("otel/opentelemetry-collector-contrib", "0.159.0", ""),
    "prometheus": ("prom/prometheus", "3.7.3", "v"),
    "alertmanager": ("prom/alertmanager", "0.28.1", "v"),
    "loki": ("grafana/loki", "3.5.7", ""),
    "tempo": ("grafana/tempo", "2.8.2", ""),
    "grafana": ("grafana/grafana", "12.1.0", ""),
}


def resolve_stack(spec: StackSpec) -> Stack:
    """Pinned versions and images for every backend, the Project's choices first."""
    components: dict[str, StackComponent] = {}
    for name, (repository, default_version, prefix) in DEFAULT_STACK.items():
        chosen = getattr(spec, name)
        version = chosen.version.removeprefix("v") if chosen is not None else default_version
        image = chosen.image if chosen is not None and chosen.image else repository
        components[name] = StackComponent(version=version, image=f"{image}:{prefix}{version}")
    return Stack(**components)
