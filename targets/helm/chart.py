"""Chart.yaml and the chart's fixed templates (targets/helm/chart/templates/)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from importlib import resources

from compiler.model import EnvironmentModel
from compiler.output.canonical import dump_yaml

CHART_NAME = "obs-stack"
BASE_VERSION = "0.1.0"
DIGEST_CHARS = 12


def chart_templates() -> dict[str, bytes]:
    """templates/<name> -> bytes of every template shipped with obsc, in name order."""
    folder = resources.files("targets.helm").joinpath("chart", "templates")
    names = sorted(entry.name for entry in folder.iterdir() if entry.is_file())
    return {f"templates/{name}": folder.joinpath(name).read_bytes() for name in names}


def content_digest(files: Mapping[str, bytes]) -> str:
    """sha256 over the chart's files (paths and bytes, in path order), as hex."""
    digest = hashlib.sha256()
    for path in sorted(files):
        for part in (path.encode("utf-8"), files[path]):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()


def chart_version(files: Mapping[str, bytes]) -> str:
    """`0.1.0+<digest>`, the chart version.

    The render version is only known after rendering, so the chart's version is derived
    from its own content instead: it changes exactly when the chart does.
    """
    return f"{BASE_VERSION}+{content_digest(files)[:DIGEST_CHARS]}"


def chart_yaml(model: EnvironmentModel, files: Mapping[str, bytes]) -> bytes:
    """Chart.yaml; appVersion is the collector version the environment's stack pins."""
    return dump_yaml(
        {
            "apiVersion": "v2",
            "name": CHART_NAME,
            "description": f"Observability stack of {model.project} ({model.environment}), "
            "rendered by obsc: OpenTelemetry Collector, rules, dashboards, datasources, "
            "Alertmanager config, auto-instrumentation and scrape targets",
            "type": "application",
            "version": chart_version(files),
            "appVersion": model.stack.collector.version,
            "annotations": {"obsc.dev/environment": model.environment},
        }
    )
