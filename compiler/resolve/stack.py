"""The backend versions obsc pins when a Project's `stack` does not name one.

Kept in one place so that bumping a version is a one-line, reviewable change; every pin
is an upstream release whose config keys the targets are written against. A Project's pin
must lie in the component's supported range (stack_versions.py, OBSC319); retention is
resolved per environment because it follows the environment's SLOs (retention.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from compiler.errors import DiagnosticSink
from compiler.model import ResolvedService, Stack, StackComponent, StoringStackComponent
from compiler.resolve.retention import loki_retention, prometheus_retention
from compiler.resolve.stack_versions import SUPPORTED, out_of_range
from compiler.spec.models import ProjectDocument
from compiler.spec.models import Stack as StackSpec
from compiler.spec.paths import spec_path
from compiler.spec.validate import Parsed

# component: (image repository, default version, tag prefix the image uses)
DEFAULT_STACK: dict[str, tuple[str, str, str]] = {
    "collector": ("otel/opentelemetry-collector-contrib", "0.159.0", ""),
    "prometheus": ("prom/prometheus", "3.7.3", "v"),
    "alertmanager": ("prom/alertmanager", "0.28.1", "v"),
    "loki": ("grafana/loki", "3.5.7", ""),
    "tempo": ("grafana/tempo", "2.8.2", ""),
    "grafana": ("grafana/grafana", "12.1.0", ""),
}


def resolve_pins(
    project: Parsed[ProjectDocument], sink: DiagnosticSink
) -> dict[str, StackComponent]:
    """Version and image of every backend, the Project's choices first.

    A pinned version outside the supported range is an OBSC319 error at that version.
    """
    spec = project.model.spec.stack
    components: dict[str, StackComponent] = {}
    for name, (repository, default_version, prefix) in DEFAULT_STACK.items():
        chosen = getattr(spec, name)
        pinned = chosen.version if chosen is not None else None
        if pinned is not None:
            _check_version(project, name, pinned, sink)
        version = pinned.removeprefix("v") if pinned is not None else default_version
        image = chosen.image if chosen is not None and chosen.image else repository
        if not _has_tag_or_digest(image):
            image = f"{image}:{prefix}{version}"
        else:
            _check_tag(project, name, image, version, sink)
        components[name] = StackComponent(version=version, image=image)
    return components


def _split_reference(image: str) -> tuple[str | None, str | None]:
    """(tag, digest) of an image reference, each None when absent."""
    name, _, digest = image.partition("@")
    colon = name.rfind(":")
    tag = name[colon + 1 :] if colon > name.rfind("/") else None
    return tag, digest or None


def _has_tag_or_digest(image: str) -> bool:
    return _split_reference(image) != (None, None)


def _check_tag(
    project: Parsed[ProjectDocument],
    component: str,
    image: str,
    version: str,
    sink: DiagnosticSink,
) -> None:
    """An image that names its own tag is used as is, if the tag is the resolved version.

    The targets write config for `version`; a tag that says another release would run
    that release with config written for this one. A digest alone cannot be compared with
    the version, so it is trusted.
    """
    tag, _ = _split_reference(image)
    if tag is None or tag.removeprefix("v") == version:
        return
    path = ("spec", "stack", component, "image")
    document = project.document
    sink.error(
        "OBSC321",
        f"{component} image tag {tag!r} contradicts the version obsc renders config for, {version}",
        document.location(path),
        spec_path(document, path),
        hint=f"set spec.stack.{component}.version to {tag} as well, or drop the tag (obsc "
        f"appends the version's tag), or pin by @digest",
    )


def _check_version(
    project: Parsed[ProjectDocument], component: str, version: str, sink: DiagnosticSink
) -> None:
    problem = out_of_range(component, version)
    if problem is None:
        return
    path = ("spec", "stack", component, "version")
    document = project.document
    sink.error(
        "OBSC319",
        problem,
        document.location(path),
        spec_path(document, path),
        hint=f"pin a {component} version {SUPPORTED[component].describe()}, or remove the "
        f"pin to use obsc's {DEFAULT_STACK[component][1]}",
    )


def resolve_stack(
    pins: dict[str, StackComponent], spec: StackSpec, services: Iterable[ResolvedService]
) -> Stack:
    """The stack of one environment: the pins, with retention for its services' SLOs."""
    prometheus = pins["prometheus"]
    loki = pins["loki"]
    return Stack(
        collector=pins["collector"],
        prometheus=StoringStackComponent(
            version=prometheus.version,
            image=prometheus.image,
            retention=prometheus_retention(
                spec.prometheus.retention if spec.prometheus else None, services
            ),
        ),
        alertmanager=pins["alertmanager"],
        loki=StoringStackComponent(
            version=loki.version,
            image=loki.image,
            retention=loki_retention(spec.loki.retention if spec.loki else None),
        ),
        tempo=pins["tempo"],
        grafana=pins["grafana"],
    )
