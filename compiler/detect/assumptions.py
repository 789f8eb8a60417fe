"""Where what a service declares contradicts what the framework database assumes.

A framework's `metrics.assumes` names the exporter package and the lowest release whose
metrics are as the database describes them; a dependency file that declares an older one
(a pinned or minimum version) gets a warning from `obsc detect --source`.
"""

from __future__ import annotations

import re

from compiler.detect.observation import Observation
from compiler.spec.models import FrameworkDocument

# A release: numbers joined by dots, then an optional pre-release or build tail
# (`v0.1.1-0.20230101000000-abcdef`, `1.2.3rc1`, `^2.5.0` all start with one).
_RELEASE = re.compile(r"v?([0-9]+(?:\.[0-9]+)*)([-+a-zA-Z][0-9A-Za-z.+-]*)?")


def _key(version: str) -> tuple[tuple[int, ...], int] | None:
    """Numbers padded to three, then 0 for a pre-release (`-…`, `rc1`) or 1 for a release."""
    match = _RELEASE.search(version)
    if match is None:
        return None
    numbers = tuple(int(n) for n in match[1].split("."))
    numbers += (0,) * (3 - len(numbers))
    tail = match[2] or ""
    return numbers, 0 if tail and not tail.startswith("+") else 1


def older_than(declared: str, assumed: str) -> bool:
    """True when `declared` is a release before `assumed`; False when it cannot tell."""
    have, want = _key(declared), _key(assumed)
    return have is not None and want is not None and have < want


def _package_key(name: str) -> str:
    """Names compare as PyPI does (case, `-`, `_` and `.` alike); Go and npm names are kept."""
    return re.sub(r"[-_.]+", "-", name).lower() if "/" not in name else name.lower()


def exporter_warnings(observation: Observation, framework: FrameworkDocument) -> list[str]:
    """One line per assumption of `framework` the observed dependencies contradict."""
    assumed = framework.spec.metrics.assumes
    if assumed is None:
        return []
    wanted = _package_key(assumed.package)
    dependency = next(
        (d for key, d in observation.dependencies.items() if _package_key(key) == wanted), None
    )
    if dependency is None or not older_than(dependency.version, assumed.version):
        return []
    declared = f"{dependency.name or assumed.package} {dependency.version}"
    setup = f" ({assumed.setup})" if assumed.setup else ""
    return [
        f"{dependency.origin} declares {declared}, older than {assumed.version}, which the "
        f"{framework.metadata.name} metrics assume{setup}"
    ]


def scrape_warnings(observation: Observation, framework: FrameworkDocument) -> list[str]:
    """Where the prometheus.io annotations point Prometheus away from the exporter."""
    metrics = framework.spec.metrics
    name = framework.metadata.name
    if framework.spec.category != "application" or metrics.source != "exporter":
        return []
    warnings = []
    if observation.scrape_path and metrics.path and observation.scrape_path != metrics.path:
        warnings.append(
            f"prometheus.io/path is {observation.scrape_path}, but the {name} exporter "
            f"({metrics.exporter or 'its metrics'}) serves {metrics.path}"
        )
    if metrics.port and observation.scrape_port and observation.scrape_port != metrics.port:
        warnings.append(
            f"prometheus.io/port is {observation.scrape_port}, but the {name} metrics are "
            f"served on port {metrics.port}"
        )
    return warnings
