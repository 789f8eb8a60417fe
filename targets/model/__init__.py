"""The `model` target: the resolved model of an environment as canonical JSON.

It is what every other target reads, written out so that a reviewer sees resolved values
(after defaults, snapshots and overrides) change in a pull request, and so that policies
and external tools can consume the estate without re-implementing resolve.

The file is spliced from one piece per service (compiler.render.contract.Spliced), so that
after one service changed obsc serialises that service again, not all 10,000. Canonical JSON
(sorted keys, two-space indent) of a list is its items' canonical JSON, indented one level
deeper and joined by `,`: the spliced bytes are `dump_json` of the whole model.
"""

from __future__ import annotations

from compiler.model import EnvironmentModel, ResolvedService
from compiler.output.canonical import dump_json
from compiler.render.contract import RenderedFiles, Spliced, Target

SERVICES_KEY = b'\n  "services": []'  # the list at the top level of the sorted, indented model
ITEM_INDENT = b"    "  # an item of that list: two levels deep


def model_frame(model: EnvironmentModel) -> tuple[bytes, bytes, bytes]:
    """`model.json` around its services: (before the first, between two, after the last)."""
    envelope = model.model_dump(mode="json", exclude={"services"})
    envelope["services"] = []
    head, found, tail = dump_json(envelope).partition(SERVICES_KEY)
    assert found and SERVICES_KEY not in tail, "one top-level services key"
    if not model.services:
        return head + SERVICES_KEY, b"", tail
    return head + SERVICES_KEY[:-1] + b"\n", b",\n", b"\n  ]" + tail


def service_piece(_context: object, service: ResolvedService) -> bytes:
    """One service as an item of `model.json`'s services list."""
    lines = dump_json(service.model_dump(mode="json")).rstrip(b"\n").split(b"\n")
    return b"\n".join(ITEM_INDENT + line for line in lines)


def render_model(model: EnvironmentModel) -> RenderedFiles:
    """`model.json`: the environment's resolved model."""
    return MODEL_JSON.render(model)


MODEL_JSON = Spliced(path="model.json", frame=model_frame, piece=service_piece)

TARGET = Target(
    name="model",
    description="the resolved model of the environment as JSON (what every target reads)",
    render=render_model,
    spliced=MODEL_JSON,
)
