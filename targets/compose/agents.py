"""Agents copied in from the OpenTelemetry Operator's images, for `spec.instrumentation.inject`.

What the Operator does in a pod, done with compose: one init service per language
(`obs-agent-<language>`) copies the agent out of the Operator's auto-instrumentation image
into a named volume and exits; each service that asks for its agent mounts that volume
read-only where the Operator would, waits for the copy to complete
(`service_completed_successfully`), and gets the start option that loads the agent.
Commands, paths and variables are the Operator's own (v0.158.0,
internal/instrumentation/{javaagent,nodejs,python}.go); image tags are those of its
versions.txt. A Python service on an Alpine-based image gets the musl build
(`/autoinstrumentation-musl`) from its own init service, `obs-agent-python-musl`. A start
option the user's compose file sets (e.g. their own NODE_OPTIONS) is replaced: compose
merges `environment` by key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from compiler.model import FILE_AGENT_LANGUAGES, EnvironmentModel, ResolvedService

IMAGE = "ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-{key}:{tag}"
_PYTHON = "/otel-auto-instrumentation-python"


@dataclass(frozen=True, slots=True)
class Agent:
    """One language's agent: its image, how it is copied out, how it is loaded."""

    key: str  # the Operator's name for the language
    tag: str
    copy: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    variant: str = ""  # "-musl": the build for Alpine's C library

    @property
    def mount(self) -> str:
        """Where the agent's files are, in the init service and in the application."""
        return f"/otel-auto-instrumentation-{self.key}"

    @property
    def name(self) -> str:
        """The init service and its volume."""
        return f"obs-agent-{self.key}{self.variant}"

    def application_volume(self) -> dict[str, object]:
        """The agent's volume as the application mounts it: read-only, where the Operator does."""
        return {"type": "volume", "source": self.name, "target": self.mount, "read_only": True}


AGENTS = {
    "java": Agent(
        key="java",
        tag="2.30.0",
        copy=("cp", "/javaagent.jar", "/otel-auto-instrumentation-java/javaagent.jar"),
        env=(("JAVA_TOOL_OPTIONS", "-javaagent:/otel-auto-instrumentation-java/javaagent.jar"),),
    ),
    "javascript": Agent(
        key="nodejs",
        tag="0.78.0",
        copy=("cp", "-r", "/autoinstrumentation/.", "/otel-auto-instrumentation-nodejs"),
        env=(
            ("NODE_OPTIONS", "--require /otel-auto-instrumentation-nodejs/autoinstrumentation.js"),
            # The Node.js SDK starts its metrics only with an exporter named.
            ("OTEL_METRICS_EXPORTER", "otlp"),
        ),
    ),
    "python": Agent(
        key="python",
        tag="0.64b0",
        copy=("cp", "-r", "/autoinstrumentation/.", _PYTHON),
        env=(
            (
                "PYTHONPATH",
                f"{_PYTHON}/opentelemetry/instrumentation/auto_instrumentation:{_PYTHON}",
            ),
            ("OTEL_TRACES_EXPORTER", "otlp"),
            ("OTEL_METRICS_EXPORTER", "otlp"),
            ("OTEL_LOGS_EXPORTER", "otlp"),
        ),
    ),
}
assert tuple(AGENTS) == FILE_AGENT_LANGUAGES
# The Operator's Python image carries a second build for musl (`otel-python-platform: musl`).
PYTHON_MUSL = replace(
    AGENTS["python"],
    copy=("cp", "-r", "/autoinstrumentation-musl/.", _PYTHON),
    variant="-musl",
)


def agent_of(service: ResolvedService | None) -> Agent | None:
    """The agent a service asked for (resolve refused a request that cannot be met)."""
    if service is None or not service.inject_agent:
        return None
    if service.needs_musl_agent:
        return PYTHON_MUSL
    return AGENTS.get(service.language)


def agent_services(model: EnvironmentModel, addressed: tuple[str, ...]) -> dict[str, object]:
    """The init services of the languages the `addressed` user services ask agents for."""
    agents = {a for a in (agent_of(model.service(name)) for name in addressed) if a is not None}
    return {
        agent.name: {
            "image": IMAGE.format(key=agent.key, tag=agent.tag),
            "command": list(agent.copy),
            "volumes": [{"type": "volume", "source": agent.name, "target": agent.mount}],
            "restart": "no",
        }
        for agent in sorted(agents, key=lambda a: a.name)
    }
