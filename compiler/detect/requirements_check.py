"""Where a service's dependencies lack what its framework's zero-code instrumentation needs.

A framework's `instrumentation.requires` names the packages its environment variables switch
on: for Python `opentelemetry-distro`, the OTLP exporter and the framework's instrumentation
(`opentelemetry-instrument` loads them), for Node.js `@opentelemetry/auto-instrumentations-node`
(loaded by NODE_OPTIONS from the app's node_modules). When detection read the service's
dependency manifest of that language and a package is missing, the variables obsc injects
would switch on nothing, silently; `obsc detect` warns. An agent brought in from outside
(the Operator's `inject-<language>` annotation, compose `spec.instrumentation.inject`) carries
its own packages, and the warning says so.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from compiler.detect.observation import Observation
from compiler.spec.models import FrameworkDocument


def _python_manifest(name: str) -> bool:
    if name.startswith("requirements") and name.endswith((".txt", ".in")):
        return True
    return name in ("pyproject.toml", "Pipfile", "setup.cfg", "setup.py")


def _javascript_manifest(name: str) -> bool:
    return name == "package.json"


# The languages whose `requires` are names of their package registry, and the files that
# declare a project's dependencies in it.
MANIFESTS = {"python": _python_manifest, "javascript": _javascript_manifest}


def _package_key(language: str, name: str) -> str:
    """PyPI compares names with case, `-`, `_` and `.` alike (PEP 503); npm as written."""
    if language == "python":
        return re.sub(r"[-_.]+", "-", name).lower()
    return name.lower()


def missing_instrumentation_warnings(
    observation: Observation, framework: FrameworkDocument
) -> list[str]:
    """One line naming the packages `framework`'s instrumentation needs that are not declared."""
    spec = framework.spec
    is_manifest = MANIFESTS.get(spec.language)
    if is_manifest is None or not spec.instrumentation.requires:
        return []
    origins = sorted(
        {d.origin for d in observation.dependencies.values() if is_manifest(_name(d.origin))}
    )
    if not origins:
        return []  # the manifest was not read: nothing is known to be missing
    declared = {
        _package_key(spec.language, key)
        for key, dependency in observation.dependencies.items()
        if dependency.origin in origins
    }
    missing = [
        package
        for package in spec.instrumentation.requires
        if _package_key(spec.language, package) not in declared
    ]
    if not missing:
        return []
    return [
        f"{', '.join(origins)} declares no {', '.join(missing)}, which the "
        f"{framework.metadata.name} zero-code instrumentation needs: install them in the "
        "image, or let an agent be injected (the OpenTelemetry Operator's annotation, "
        "spec.instrumentation.inject on compose)"
    ]


def _name(origin: str) -> str:
    return PurePosixPath(origin.replace("\\", "/")).name
