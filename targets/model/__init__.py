"""The `model` target: the resolved model of an environment as canonical JSON.

It is what every other target reads, written out so that a reviewer sees resolved values
(after defaults, snapshots and overrides) change in a pull request, and so that policies
and external tools can consume the estate without re-implementing resolve.
"""

from __future__ import annotations

from compiler.model import EnvironmentModel
from compiler.output.canonical import dump_json
from compiler.render.contract import RenderedFiles, Target


def render_model(model: EnvironmentModel) -> RenderedFiles:
    """`model.json`: the environment's resolved model."""
    return {"model.json": dump_json(model.model_dump(mode="json"))}


TARGET = Target(
    name="model",
    description="the resolved model of the environment as JSON (what every target reads)",
    render=render_model,
)
