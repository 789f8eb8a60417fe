"""`spec.instrumentation`: `inject` and `platform` only where they do something.

`inject` only for an application whose agent ships as files (OBSC354), `platform` only for
Python (OBSC361).

The compose target copies the agent from the OpenTelemetry Operator's auto-instrumentation
image into a volume and loads it at start (JAVA_TOOL_OPTIONS, NODE_OPTIONS, PYTHONPATH). Go's
agent is an eBPF process and .NET's a profiler with native libraries, neither a file a
start option loads, and infrastructure runs no agent: asking for one there would do
nothing, silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from compiler.errors import DiagnosticSink
from compiler.model import FILE_AGENT_LANGUAGES, EnvironmentModel, ResolvedService
from compiler.spec.loader import PathKey
from compiler.spec.models import ServiceDocument
from compiler.spec.paths import spec_path
from compiler.spec.validate import Parsed

_INJECT: PathKey = ("spec", "instrumentation", "inject")
_PLATFORM: PathKey = ("spec", "instrumentation", "platform")


def check_agent_injection(
    services: Iterable[Parsed[ServiceDocument]],
    environments: Mapping[str, EnvironmentModel],
    sink: DiagnosticSink,
) -> None:
    """OBSC354 for each service asking for an agent it cannot get (once per service)."""
    for parsed in services:
        _check_platform(parsed, environments, sink)
        if not parsed.model.spec.instrumentation.inject:
            continue
        resolved = _first_resolved(parsed.model.metadata.name, environments.values())
        if resolved is None or _injectable(resolved):
            continue
        what = (
            "infrastructure, which runs no agent"
            if resolved.category != "application"
            else f"{resolved.language}, whose OpenTelemetry agent is not a file a start "
            "option loads"
        )
        sink.error(
            "OBSC354",
            f"service {resolved.name!r} asks for its agent to be injected, but it is {what}",
            parsed.document.location(_INJECT),
            spec_path(parsed.document, _INJECT),
            hint="remove spec.instrumentation.inject; agents are injected for "
            f"{', '.join(FILE_AGENT_LANGUAGES)} applications",
        )


def _check_platform(
    parsed: Parsed[ServiceDocument],
    environments: Mapping[str, EnvironmentModel],
    sink: DiagnosticSink,
) -> None:
    """OBSC361: a C library named for a service whose agent does not depend on it."""
    if parsed.model.spec.instrumentation.platform is None:
        return
    resolved = _first_resolved(parsed.model.metadata.name, environments.values())
    if resolved is None or resolved.language == "python":
        return
    sink.warning(
        "OBSC361",
        f"service {resolved.name!r} names the C library of its image, but it is "
        f"{resolved.language}: only the Python agent has a build per C library",
        parsed.document.location(_PLATFORM),
        spec_path(parsed.document, _PLATFORM),
        hint="remove spec.instrumentation.platform",
    )


def _injectable(service: ResolvedService) -> bool:
    return service.category == "application" and service.language in FILE_AGENT_LANGUAGES


def _first_resolved(name: str, environments: Iterable[EnvironmentModel]) -> ResolvedService | None:
    for model in environments:
        service = model.service(name)
        if service is not None:
            return service
    return None
