"""Which policy files are vetted per service: decided from the text, whole-model when unsure."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.policies.classify import classify
from tests.conftest import ROOT

PACKS = [ROOT / "compiler" / "policies" / "default", ROOT / "policies"]


@pytest.mark.parametrize("path", sorted(p for pack in PACKS for p in pack.glob("*.cue")))
def test_every_default_rule_constrains_one_service_at_a_time(path: Path) -> None:
    assert classify(path.read_text()).per_service


PER_SERVICE = {
    "guarded": (
        'package obsc\nif environment == "prod" {\n\tservices: [string]: sampling: <=0.2\n}\n'
    ),
    "helpers": "package obsc\n#Max: 0.2\nlet m = 3\nservices: [string]: sampling: <=#Max\n",
    "comments and strings": (
        "package obsc\n// services: everywhere\n"
        'services: [=~"^pay"]: labels: [=~"services"]: _|_ // services\n'
    ),
    "label alias": "package obsc\nservices: [Name=string]: runbook: =~Name\n",
    "environment-level rule": "package obsc\nstack: prometheus: retention: periodDays: >=30\n",
}

WHOLE_MODEL = {
    "comprehension": "package obsc\n_n: len([for k, v in services {k}])\n",
    "reference inside a rule": "package obsc\nservices: [string]: S={ x: services }\n",
    "selector": "package obsc\nservices: [string]: S={ tier: services.checkout.tier }\n",
    "one named service": "package obsc\nservices: checkout: tier: 1\n",
    "alias of services": "package obsc\nX=services: [string]: tier: 1\n",
    "top-level pattern": "package obsc\n[string]: x: 1\n",
    "quoted label": 'package obsc\n"services": [string]: tier: 1\n',
    "interpolation": 'package obsc\nservices: [string]: runbook: "\\(project)"\n',
    "embedding": "package obsc\n#Base\n",
    "nested declaration": "package obsc\nx: services: [string]: tier: 1\n",
    "raw string": 'package obsc\nservices: [string]: runbook: #"x"#\n',
    "unbalanced": "package obsc\nservices: [string]: {\n",
    "optional services": "package obsc\nservices?: [string]: tier: 1\n",
}


@pytest.mark.parametrize("text", PER_SERVICE.values(), ids=list(PER_SERVICE))
def test_per_service_files(text: str) -> None:
    assert classify(text).per_service


@pytest.mark.parametrize("text", WHOLE_MODEL.values(), ids=list(WHOLE_MODEL))
def test_files_that_may_look_across_services_run_whole_model(text: str) -> None:
    found = classify(text)
    assert not found.per_service
    assert found.reason
