"""Instrumentation variables given by `secretRef` reach the operator as `secretKeyRef`s.

The secret-refs estate's Framework sends its OTLP headers from a secret; the chart's
`Instrumentation` must read them from the Kubernetes Secret, never carry a value. (Its
chart is also linted and conformed with the others: tests/kube_fixtures.py ESTATES.)
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

from tests.kube import helm_template, objects
from tests.realtools import Tool

EXPECTED = [
    {
        "name": "OTEL_EXPORTER_OTLP_HEADERS",
        "valueFrom": {"secretKeyRef": {"name": "honeycomb", "key": "otlp-headers"}},
    },
    {"name": "OTEL_EXPORTER_OTLP_PROTOCOL", "value": "http/protobuf"},
    {
        "name": "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        "valueFrom": {"secretKeyRef": {"name": "honeycomb", "key": "traces.headers"}},
    },
]


def _chart(rendered_estates: dict[str, Path]) -> Path:
    return rendered_estates["secret-refs"] / "prod" / "helm" / "obs-stack"


def test_values_reference_the_secret_and_fit_the_schema(rendered_estates: dict[str, Path]) -> None:
    chart = _chart(rendered_estates)
    values = YAML(typ="safe").load((chart / "values.yaml").read_text())
    schema = json.loads((chart / "values.schema.json").read_text())
    jsonschema.validate(values, schema)
    assert values["instrumentation"]["languages"]["python"]["env"] == EXPECTED


def test_the_collector_gets_the_secret_its_redaction_reads(
    rendered_estates: dict[str, Path],
) -> None:
    values = YAML(typ="safe").load((_chart(rendered_estates) / "values.yaml").read_text())
    assert values["collector"]["env"] == [
        {
            "name": "OBSC_SECRET_LEAKED__API_KEY",
            "valueFrom": {"secretKeyRef": {"name": "leaked", "key": "api-key"}},
        }
    ]


def test_the_instrumentation_reads_the_secret(
    real_tool: Tool, rendered_estates: dict[str, Path]
) -> None:
    manifests = helm_template(real_tool("helm"), _chart(rendered_estates))
    (instrumentation,) = [o for o in objects(manifests) if o["kind"] == "Instrumentation"]
    assert instrumentation["spec"]["python"]["env"] == EXPECTED
    (daemonset,) = [o for o in objects(manifests) if o["kind"] == "DaemonSet"]
    (container,) = daemonset["spec"]["template"]["spec"]["containers"]
    assert container["env"][0]["valueFrom"]["secretKeyRef"] == {"name": "leaked", "key": "api-key"}
