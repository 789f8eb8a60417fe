"""Each resolve layer on tiny input → expected pairs, as sqlglot tests its optimizer rules.

`tests/resolve/layers/<layer>/in-<case>.yaml` holds spec documents (one Project, one
Service, optionally a Snapshot and user Frameworks); `out-<case>.yaml` what that one layer
of `compiler.resolve.layers.LAYERS` contributes, per environment of the Project:
`spec path: {value, layer, origin, at}`. Cases use user-defined frameworks where a
framework's own lines show, so editing the built-in database never moves an expectation.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.errors import DiagnosticSink
from compiler.frameworks import FrameworkEntry, build_database, load_builtin_frameworks
from compiler.resolve.layers import LAYERS, LayerInput, Values
from compiler.spec.loader import load_bytes
from compiler.spec.validate import validate_documents

CASES = Path(__file__).resolve().parent / "layers"
BY_NAME = {layer.__name__: layer for layer in LAYERS}


def _cases() -> list[Path]:
    return sorted(CASES.glob("*/in-*.yaml"))


@cache
def _builtin_frameworks() -> dict[str, FrameworkEntry]:
    sink = DiagnosticSink()
    database = build_database(load_builtin_frameworks(sink), [])
    sink.raise_if_errors("frameworks")
    return database


def layer_inputs(case: Path) -> list[LayerInput]:
    """One LayerInput per environment of the case's Project (in the Project's order)."""
    sink = DiagnosticSink()
    specs = validate_documents(load_bytes(case.read_bytes(), case.name, sink), sink)
    sink.raise_if_errors("validate")
    (project,) = specs.projects
    (service,) = specs.services
    snapshot = specs.snapshots[0] if specs.snapshots else None
    framework_name = service.model.spec.framework or (snapshot and snapshot.model.spec.framework)
    frameworks = {**_builtin_frameworks(), **build_database([], specs.frameworks)}
    framework = frameworks[str(framework_name)]
    return [
        LayerInput(service, framework, snapshot, env, index, project.document)
        for index, env in enumerate(project.model.spec.environments)
    ]


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def as_expected(values: Values) -> dict[str, dict[str, Any]]:
    """A layer's output in the shape of an out-*.yaml entry."""
    return {
        path: {
            "value": _plain(c.value),
            "layer": c.layer,
            "origin": c.origin,
            "at": str(c.location),
        }
        for path, c in sorted(values.items())
    }


def actual(case: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """What the case's layer (its directory's name) contributes, by environment."""
    layer = BY_NAME[case.parent.name]
    return {ctx.environment.name: as_expected(layer(ctx)) for ctx in layer_inputs(case)}


@pytest.mark.parametrize("case", _cases(), ids=lambda p: f"{p.parent.name}/{p.name[3:-5]}")
def test_layer_gives_what_its_fixture_expects(case: Path) -> None:
    out = case.with_name("out-" + case.name.removeprefix("in-"))
    expected = YAML(typ="safe", pure=True).load(out)
    got = actual(case)
    assert got == expected, f"{out} expects otherwise; the layer gave {got}"


def test_every_layer_has_fixtures_and_every_fixture_a_layer() -> None:
    folders = {p.name for p in CASES.iterdir() if p.is_dir()}
    assert folders == set(BY_NAME)
    for folder in folders:
        ins = {p.name[3:] for p in (CASES / folder).glob("in-*.yaml")}
        outs = {p.name[4:] for p in (CASES / folder).glob("out-*.yaml")}
        assert ins and ins == outs, f"{folder}: unpaired fixtures {sorted(ins ^ outs)}"
