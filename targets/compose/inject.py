"""What compose's merge adds to the user's services: the OpenTelemetry environment and logging.

Every service gets the OTLP endpoint of the collector, its service name, namespace (the
owning team) and environment as resource attributes, and `parentbased_always_on` (the
collector samples per service; docs/contracts.md). Services of the model also get their
framework's zero-code instrumentation variables, which the variables above override; a
variable the framework gives from a secret (`{secretRef: {name, key}}`) is compose
interpolation of `OBSC_SECRET_<NAME>__<KEY>` from the user's environment or `.env` file
(`secret_interpolation`), required (`${VAR:?...}`): the value never enters rendered/.
Logging is Docker's json-file driver with the compose service label on each line, which
the collector turns into `service.name`.
"""

from __future__ import annotations

from compiler.model import EnvironmentModel, ResolvedService, SecretRef
from targets.compose import names
from targets.compose.agents import agent_of

Service = dict[str, object]


def logging() -> dict[str, object]:
    """Docker's json-file driver, copying the compose service label into every line."""
    return {"driver": "json-file", "options": {"labels": "com.docker.compose.service"}}


def user_service_names(model: EnvironmentModel) -> tuple[str, ...]:
    """The services to inject into: the user's compose services when the file is known.

    Otherwise every application service of the model (a merge would create an image-less
    service for a name the user's file does not have, so only known names are addressed).
    """
    if model.compose is not None and model.compose.services is not None:
        return model.compose.services
    return tuple(s.name for s in model.services if s.category == "application")


def otel_environment(model: EnvironmentModel, name: str) -> dict[str, str]:
    """The environment of service `name`, keys sorted; `$` escaped from compose interpolation."""
    service = model.service(name)
    attributes = f"deployment.environment.name={model.environment}"
    if service is not None:
        attributes = f"service.namespace={service.team},{attributes}"
    env = {key: _compose_value(value) for key, value in _instrumentation(service)}
    agent = agent_of(service)
    if agent is not None:
        env.update(agent.env)
    obsc_settings = {
        "OTEL_SERVICE_NAME": name,
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{names.COLLECTOR}:{names.COLLECTOR_OTLP_HTTP}",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_RESOURCE_ATTRIBUTES": attributes,
        "OTEL_TRACES_SAMPLER": "parentbased_always_on",
    }
    env.update({key: _compose_value(value) for key, value in obsc_settings.items()})
    return dict(sorted(env.items()))


def secret_interpolation(ref: SecretRef) -> str:
    """`${OBSC_SECRET_<NAME>__<KEY>:?...}`: the secret from the user's environment or .env.

    Compose refuses to start without it, naming the secret (`SecretRef.variable`).
    """
    variable = ref.variable
    return f"${{{variable}:?set {variable} to the value of secret {ref.name}, key {ref.key}}}"


def _compose_value(value: str | SecretRef) -> str:
    """A literal with `$` escaped from interpolation, or the interpolation of a secret."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    return secret_interpolation(value)


def _instrumentation(service: ResolvedService | None) -> tuple[tuple[str, str | SecretRef], ...]:
    if service is None or service.category != "application":
        return ()
    return service.instrumentation.env


def user_services(model: EnvironmentModel) -> dict[str, Service]:
    """The overlay's entry for each user service; the agent's volume when it asked for one."""
    services: dict[str, Service] = {}
    for name in user_service_names(model):
        depends_on: dict[str, object] = {names.COLLECTOR: {"condition": "service_started"}}
        entry: Service = {"environment": otel_environment(model, name), "logging": logging()}
        agent = agent_of(model.service(name))
        if agent is not None:  # the copy must be complete before the service starts
            entry["volumes"] = [agent.application_volume()]
            depends_on[agent.name] = {"condition": "service_completed_successfully"}
        entry["depends_on"] = depends_on
        services[name] = entry
    return services
