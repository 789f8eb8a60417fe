"""Imported SLOs as one stamped Service spec per service, checked by obsc's own models.

An SLO obsc's Service model refuses (an objective of 100, a window of a second) is skipped
with the model's reason. A spec file a person has edited since the last import is kept
(compiler.scaffold.generated), so re-importing never loses a review.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.importers import ImportedSLO, ImportResult
from compiler.scaffold.generated import Status, stamped, write_generated
from compiler.spec.crossref import PLACEHOLDER_TEAM


@dataclass(frozen=True, slots=True)
class WrittenSpec:
    """One Service spec file the import wrote or kept."""

    service: str
    path: Path
    status: Status
    slos: int


def service_documents(result: ImportResult) -> dict[str, dict[str, Any]]:
    """The Service document of each service, SLOs in input order, names made unique."""
    from pydantic import ValidationError

    from compiler.spec.models import API_VERSION, ServiceDocument

    by_service: dict[str, list[ImportedSLO]] = {}
    for imported in result.slos:
        by_service.setdefault(imported.service, []).append(imported)
    documents: dict[str, dict[str, Any]] = {}
    for service, group in sorted(by_service.items()):
        document: dict[str, Any] = {
            "apiVersion": API_VERSION,
            "kind": "Service",
            "metadata": _metadata(service, group),
            # ratio SLIs need no framework metrics; generic until a person names the framework
            "spec": {"framework": "generic", "slos": []},
        }
        names: set[str] = set()
        for item in group:
            slo = dict(item.slo)
            while slo["name"] in names:
                slo["name"] = f"{slo['name'][:60]}-2"
            slos = [*document["spec"]["slos"], slo]
            candidate = {**document, "spec": {**document["spec"], "slos": slos}}
            try:
                ServiceDocument.model_validate(candidate)
            except ValidationError as error:
                reason = "; ".join(e["msg"] for e in error.errors())
                result.note(item.location, "skipped", f"{service}/{slo['name']}", reason)
                continue
            names.add(slo["name"])
            document = candidate
        if document["spec"]["slos"]:
            documents[service] = document
    return documents


def _metadata(service: str, imported: list[ImportedSLO]) -> dict[str, Any]:
    team = next((i.team for i in imported if i.team), None) or PLACEHOLDER_TEAM
    tier = next((i.tier for i in imported if i.tier), None) or 2
    labels: dict[str, str] = {}
    for item in imported:
        labels.update(item.labels)
    metadata: dict[str, Any] = {"name": service, "team": team, "tier": tier}
    if labels:
        metadata["labels"] = dict(sorted(labels.items()))
    return metadata


def write_specs(result: ImportResult, out: Path, schema: str, origin: str) -> list[WrittenSpec]:
    """Write `<out>/<service>.yaml` per service; `schema` is the path the schema comment names."""
    from compiler.output.canonical import dump_yaml

    written = []
    for service, document in service_documents(result).items():
        preamble = (
            f"# yaml-language-server: $schema={schema}\n"
            f"# Imported by `obsc import {origin}`; review the team, tier and queries.\n"
        )
        text = stamped(preamble, dump_yaml(document).decode("utf-8"))
        path = out / f"{service}.yaml"
        status = write_generated(path, text)
        written.append(WrittenSpec(service, path, status, len(document["spec"]["slos"])))
    return written
