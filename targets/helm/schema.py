"""values.schema.json: Helm checks values (the rendered ones and any override) against it."""

from __future__ import annotations

from compiler.model import OPERATOR_LANGUAGES
from targets.helm.values import BACKENDS, STORING_BACKENDS

DNS_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
LABEL_VALUE = r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"
# A duration Prometheus and Loki both parse (prometheus/common model.ParseDuration).
DURATION = r"^([0-9]+(ms|s|m|h|d|w|y))+$"


def _object(properties: dict[str, object], required: bool = True) -> dict[str, object]:
    schema: dict[str, object] = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    if required:
        schema["required"] = sorted(properties)
    return schema


def _labels() -> dict[str, object]:
    return {
        "type": "object",
        "additionalProperties": {"type": "string", "pattern": LABEL_VALUE, "maxLength": 63},
    }


def _toggle(**properties: object) -> dict[str, object]:
    return _object({"enabled": {"type": "boolean"}, **properties})


def _scrape_entry() -> dict[str, object]:
    return _object(
        {
            "name": {"type": "string", "minLength": 1},
            "selector": {"type": "string", "pattern": LABEL_VALUE, "minLength": 1},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "path": {"type": "string", "pattern": "^/"},
        }
    )


def _env() -> dict[str, object]:
    """A list of Kubernetes EnvVars: a value, or a key of a Secret."""
    name = {"type": "string", "minLength": 1}
    secret_key = _object({"name": {"type": "string", "pattern": DNS_NAME}, "key": name})
    env_var = {
        "oneOf": [
            _object({"name": name, "value": {"type": "string"}}),
            _object({"name": name, "valueFrom": _object({"secretKeyRef": secret_key})}),
        ]
    }
    return {"type": "array", "items": env_var}


def _language() -> dict[str, object]:
    return _object({"port": {"enum": [4317, 4318]}, "env": _env()})


def _collector() -> dict[str, object]:
    properties: dict[str, object] = {
        "image": {"type": "string", "minLength": 1},
        "resources": {"type": "object"},
        "tolerations": {"type": "array", "items": {"type": "object"}},
    }
    # `env` is optional: the secrets of custom redaction patterns given by secretRef.
    return {**_object(properties), "properties": {**properties, "env": _env()}}


def _retention() -> dict[str, object]:
    duration = {"type": "string", "pattern": DURATION}
    return {
        **_object(
            {
                "period": {**duration, "description": "what the backend should keep"},
                "minimum": {
                    "anyOf": [{"type": "null"}, duration],
                    "description": "the least that serves the environment's SLOs",
                },
                "requiredBy": {"type": ["string", "null"]},
            }
        ),
        "description": "Retention for your own backend: the chart does not deploy it",
    }


def _backend(name: str) -> dict[str, object]:
    external: dict[str, object] = {
        "externalName": {"anyOf": [{"const": ""}, {"pattern": DNS_NAME}]}
    }
    if name in STORING_BACKENDS:
        return _object({**external, "retention": _retention()})
    return _object(external)


def values_schema() -> dict[str, object]:
    """The JSON Schema (draft-07) of values.yaml."""
    languages = sorted(set(OPERATOR_LANGUAGES.values()))
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "obs-stack values (rendered by obsc)",
        **_object(
            {
                "project": {"type": "string", "minLength": 1},
                "environment": {"type": "string", "minLength": 1},
                "collector": _collector(),
                "backends": _object({name: _backend(name) for name in BACKENDS}),
                "prometheusRules": _toggle(labels=_labels()),
                "podMonitors": _toggle(
                    labels=_labels(),
                    interval={"type": "string", "pattern": r"^[0-9]+(ms|s|m|h)$"},
                    services={"type": "array", "items": _scrape_entry()},
                ),
                "lokiRules": _toggle(labels=_labels()),
                "grafana": _object(
                    {
                        "dashboards": _toggle(
                            labels=_labels(),
                            folderAnnotation={"type": "string", "minLength": 1},
                        ),
                        "datasources": _toggle(labels=_labels()),
                    }
                ),
                "alertmanager": _toggle(
                    secretRefs={"type": "array", "items": {"type": "string", "pattern": DNS_NAME}}
                ),
                "instrumentation": _toggle(
                    languages=_object({name: _language() for name in languages}, required=False)
                ),
            }
        ),
    }
