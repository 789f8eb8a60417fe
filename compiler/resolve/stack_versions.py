"""The versions of each stack component that obsc's rendered configs are known to work with.

A Project may pin any backend version (`spec.stack.<component>.version`); a pin outside the
component's range renders configs that the pinned program refuses or misreads, so it is a
spec error (OBSC319). Each range says why: the lower bound is the oldest release that has
every config key, component name and behaviour obsc's output relies on (checked in that
release's source where the Go module proxy or npm serves it); the upper bound is exclusive:
the next major release after the newest one obsc's output is checked against, or, for a
component still below 1.0 (where a minor release may rename or drop things, as the
collector does), the next minor release.

Bump a range together with the pin in `stack.py` and the tool pins in
`scripts/tools.versions`, after the real-tool tests pass with the new release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Version = tuple[int, int, int]

_RELEASE = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?P<pre>-[-.0-9A-Za-z]+)?(?:\+[-.0-9A-Za-z]+)?$"
)


@dataclass(frozen=True, slots=True)
class SupportedRange:
    """`minimum <= version < below`, and the reasons for both bounds."""

    minimum: Version
    below: Version
    why_minimum: str
    why_below: str

    def describe(self) -> str:
        """`>= 0.155.0, < 0.160.0`: the range as a user reads it."""
        return f">= {format_version(self.minimum)}, < {format_version(self.below)}"


SUPPORTED: dict[str, SupportedRange] = {
    "collector": SupportedRange(
        minimum=(0, 155, 0),
        below=(0, 160, 0),
        why_minimum=(
            "the rendered config uses the renamed components: otlp_grpc/otlp_http "
            "(0.144.0), file_log (0.149.0), prometheus_remote_write (0.154.0) and "
            "span_metrics (0.155.0, the first release with that name the module proxy serves)"
        ),
        why_below=(
            "the config is proven with `otelcol validate` on a 0.159.0 build, and collector "
            "minor releases rename and remove components"
        ),
    ),
    "prometheus": SupportedRange(
        minimum=(2, 33, 0),
        below=(4, 0, 0),
        why_minimum=(
            "the collector and Tempo remote-write into Prometheus, which needs "
            "--web.enable-remote-write-receiver (stable since 2.33.0)"
        ),
        why_below=(
            "the stack runs Prometheus 3 (pinned 3.7.3) and the rules are checked with "
            "promtool 2.42; a new major release may drop flags obsc renders"
        ),
    ),
    "alertmanager": SupportedRange(
        minimum=(0, 28, 0),
        below=(0, 35, 0),
        why_minimum=(
            "receivers read credentials from files: webhook `url_file` and Microsoft Teams "
            "`webhook_url_file` work from 0.28.0 on (fixed in 0.28.0)"
        ),
        why_below="the config is checked with amtool 0.34.2",
    ),
    "loki": SupportedRange(
        minimum=(3, 1, 0),
        below=(4, 0, 0),
        why_minimum=(
            "logs arrive over OTLP (Loki 3) and the Loki ruler rules count `detected_level`, "
            "the structured metadata Loki adds from 3.1.0 on (3.0 calls it `level`)"
        ),
        why_below="the config is checked with `loki -verify-config` 3.5.7 and lokitool 3.7.8",
    ),
    "tempo": SupportedRange(
        minimum=(2, 4, 0),
        below=(3, 0, 0),
        why_minimum=(
            "tempo.yaml uses `stream_over_http_enabled` and the per-tenant `overrides.defaults` "
            "format of Tempo 2.4 (from Tempo's release notes; its module is not on the proxy)"
        ),
        why_below="tempo.yaml is written for Tempo 2 (pinned 2.8.2)",
    ),
    "grafana": SupportedRange(
        minimum=(11, 6, 0),
        below=(13, 0, 0),
        why_minimum=(
            "dashboards are written at schemaVersion 41, the default of @grafana/schema "
            "from 11.6.0 on"
        ),
        why_below="dashboards and provisioning are written for Grafana 12 (pinned 12.1.0)",
    ),
}


def parse_version(value: str) -> tuple[Version, bool] | None:
    """(major, minor, patch) and whether it is a pre-release; None if not a release number.

    `v3.7`, `3.7.3`, `0.159.0-rc.1+build` all parse; missing parts are 0. A pre-release
    sorts before its release, as in semver, so `0.155.0-rc.1` is below `0.155.0`.
    """
    match = _RELEASE.match(value)
    if match is None:
        return None
    major, minor, patch = (int(part) if part else 0 for part in match.group(1, 2, 3))
    return (major, minor, patch), match.group("pre") is not None


def format_version(version: Version) -> str:
    """`0.155.0`."""
    return ".".join(map(str, version))


def out_of_range(component: str, value: str) -> str | None:
    """Why `value` is not a supported version of `component`, or None when it is."""
    supported = SUPPORTED[component]
    parsed = parse_version(value)
    if parsed is None:
        return f"{value!r} is not a release number (expected MAJOR.MINOR.PATCH)"
    version, pre_release = parsed
    if version < supported.minimum or (version == supported.minimum and pre_release):
        return (
            f"{component} {value} is older than obsc supports ({supported.describe()}): "
            f"{supported.why_minimum}"
        )
    if version >= supported.below:
        return (
            f"{component} {value} is newer than obsc supports ({supported.describe()}): "
            f"{supported.why_below}"
        )
    return None
