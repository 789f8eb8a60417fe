"""The committed JSON Schema is current, and it accepts every spec of the example estate."""

from __future__ import annotations

import json

import jsonschema
import pytest
from ruamel.yaml import YAML

from compiler.spec.schema import spec_json_schema
from tests.conftest import ROOT, ObscRunner


@pytest.mark.parametrize(
    ("which", "file"),
    [("spec", "obsc.schema.json"), ("model", "model.schema.json"), ("model-cue", "model.cue")],
)
def test_committed_schemas_are_current(obsc: ObscRunner, which: str, file: str) -> None:
    result = obsc("schema", "--of", which)
    assert result.code == 0
    committed = (ROOT / "schemas" / file).read_text(encoding="utf-8")
    assert result.out == committed, f"run `obsc schema --of {which} > schemas/{file}`"


def test_exported_models_of_the_example_estate_match_the_model_schema() -> None:
    from pathlib import Path

    from compiler.pipeline import load_estate
    from compiler.policies.export import export_environment, export_json_schema

    validator = jsonschema.Draft202012Validator(export_json_schema())
    estate = load_estate(Path(ROOT)).resolved
    for model in estate.environments.values():
        errors = list(validator.iter_errors(export_environment(model)))
        assert not errors, errors[0].message


def test_schema_accepts_the_example_estate_and_rejects_a_typo() -> None:
    schema = spec_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted((ROOT / "specs").rglob("*.yaml"))
    assert files
    for path in files:
        for document in YAML(typ="safe").load_all(path.read_text(encoding="utf-8")):
            errors = list(validator.iter_errors(json.loads(json.dumps(document))))
            assert not errors, f"{path}: {errors[0].message}"
    bad = {
        "apiVersion": "obsc.dev/v1",
        "kind": "Service",
        "metadata": {"name": "x", "team": "t"},
        "spec": {"samplng": 0.5},
    }
    assert list(validator.iter_errors(bad))


def test_specs_point_editors_at_the_schema() -> None:
    for path in sorted((ROOT / "specs").rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target == ROOT / "schemas" / "obsc.schema.json", path
