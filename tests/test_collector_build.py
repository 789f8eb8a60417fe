"""otelcol-obsc, built by ocb from scripts/otelcol-builder.yaml, has exactly its components."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.realtools import COLLECTOR_MANIFEST, INSTALL_HINT, PINS, collector_manifest_current

RealTool = Callable[[str], Path]

# Component types as the collector reports them (`otelcol-obsc components` lists canonical
# types only; deprecated aliases such as `k8sattributes` or `spanmetrics` are still accepted in
# configs but not listed).
EXPECTED_TYPES = {
    "receivers": {"otlp", "file_log", "prometheus"},
    "processors": {
        "memory_limiter",
        "resource",
        "transform",
        "filter",
        "probabilistic_sampler",
        "k8s_attributes",
    },
    "connectors": {"forward", "span_metrics"},
    "exporters": {"otlp_grpc", "otlp_http", "prometheus_remote_write", "file"},
    "extensions": {"health_check"},
}
KINDS = (*EXPECTED_TYPES, "providers")


def _load(text: str) -> dict[str, Any]:
    data = YAML(typ="safe").load(text)
    assert isinstance(data, dict)
    return data


def _manifest() -> dict[str, Any]:
    return _load(COLLECTOR_MANIFEST.read_text(encoding="utf-8"))


def _components(collector: Path) -> dict[str, Any]:
    res = subprocess.run(
        [str(collector), "components"], capture_output=True, text=True, timeout=60, check=False
    )
    assert res.returncode == 0, res.stderr
    return _load(res.stdout)


def test_collector_built_from_current_manifest(real_tool: RealTool) -> None:
    collector = real_tool("otelcol-obsc")
    used = collector.parent.parent / "builder.yaml"
    assert used.is_file(), f"{used} missing; {INSTALL_HINT}"
    assert used.read_bytes() == COLLECTOR_MANIFEST.read_bytes(), (
        f"{collector} was built from an older {COLLECTOR_MANIFEST.name}; {INSTALL_HINT}"
    )
    assert collector_manifest_current()


def test_collector_version_matches_pin_and_manifest(real_tool: RealTool) -> None:
    res = subprocess.run(
        [str(real_tool("otelcol-obsc")), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    version = PINS["otelcol-obsc"].removeprefix("v")
    assert res.stdout.strip() == f"otelcol-obsc version {version}"
    assert str(_manifest()["dist"]["version"]) == version


def test_collector_has_exactly_the_manifest_components(real_tool: RealTool) -> None:
    listed = _components(real_tool("otelcol-obsc"))
    manifest = _manifest()

    assert listed["buildinfo"]["command"] == manifest["dist"]["name"]
    assert {kind for kind in listed if kind != "buildinfo"} == set(KINDS)
    for kind, expected in EXPECTED_TYPES.items():
        assert {c["name"] for c in listed[kind]} == expected, kind
    # Every component and provider comes from exactly the module (and version) the manifest pins.
    for kind in KINDS:
        assert sorted(c["module"] for c in listed[kind]) == sorted(
            m["gomod"] for m in manifest[kind]
        ), kind
    assert {p["scheme"] for p in listed["providers"]} == {"env", "file"}


def test_manifest_components_match_the_pin() -> None:
    """Core and contrib components share the pin's v0 tag; confmap providers use v1.x."""
    pin = PINS["otelcol-obsc"]
    manifest = _manifest()
    for kind in EXPECTED_TYPES:
        for module in manifest[kind]:
            assert module["gomod"].split()[1] == pin, module
    for module in manifest["providers"]:
        assert module["gomod"].split()[1].startswith("v1."), module
