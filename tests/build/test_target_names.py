"""One list of target names: the registry's. Specs may name any target; the check says which
exist (OBSC310), and the JSON Schema lists the same names."""

from __future__ import annotations

from pathlib import Path

from compiler.spec.schema import spec_json_schema
from targets import TARGETS
from tests.conftest import ObscRunner


def test_a_target_this_obsc_lacks_is_obsc310_at_its_position(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    project = minimal_repo / "specs" / "project.yaml"
    lines = project.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if "targets: [model]" in line)
    lines[number] = lines[number].replace("[model]", "[model, grafna]")
    project.write_text("".join(lines))
    run = obsc("--repo", minimal_repo, "validate", "--no-policies")
    assert run.code == 2, run.err
    column = lines[number].index("grafna") + 1
    assert f"specs/project.yaml:{number + 1}:{column}: error[OBSC310]" in run.err
    assert "target 'grafna' is not available in this version of obsc" in run.err
    assert "did you mean 'grafana'?" in run.err


def test_the_schema_lists_the_registry_s_targets() -> None:
    schema = spec_json_schema()
    environment = schema["$defs"]["Environment"]["properties"]["targets"]
    assert environment["items"] == {"enum": list(TARGETS), "type": "string"}
