"""Stack pins: supported version ranges (OBSC319) and retention per environment (OBSC320)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import load_estate
from compiler.resolve.stack import DEFAULT_STACK
from compiler.resolve.stack_versions import SUPPORTED, format_version, out_of_range
from tests.conftest import ObscRunner


def _pin(repo: Path, stack_yaml: str) -> Path:
    """Add `spec.stack` (the given lines, indented under it) to the Project; its file."""
    project = repo / "specs" / "project.yaml"
    lines = "".join(f"    {line}\n" for line in stack_yaml.splitlines())
    project.write_text(project.read_text() + "  stack:\n" + lines)
    return project


def _position(path: Path, needle: str) -> str:
    """`line:col` of the first occurrence of `needle` in the file (1-based)."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return f"{number}:{line.index(needle) + 1}"
    raise AssertionError(f"{needle!r} not in {path}")


# --- version ranges ----------------------------------------------------------------------


@pytest.mark.parametrize("component", sorted(DEFAULT_STACK))
def test_obscs_own_pins_are_supported(component: str) -> None:
    assert out_of_range(component, DEFAULT_STACK[component][1]) is None


def _neighbours(version: tuple[int, int, int]) -> tuple[str, str]:
    """The release just below `version` (a patch lower, or the previous minor) and it."""
    major, minor, patch = version
    if patch:
        return format_version((major, minor, patch - 1)), format_version(version)
    if minor:
        return format_version((major, minor - 1, 99)), format_version(version)
    return format_version((major - 1, 99, 99)), format_version(version)


@pytest.mark.parametrize("component", sorted(SUPPORTED))
def test_the_boundaries_of_every_range(component: str) -> None:
    supported = SUPPORTED[component]
    too_old, oldest = _neighbours(supported.minimum)
    newest, too_new = _neighbours(supported.below)
    assert out_of_range(component, oldest) is None
    assert out_of_range(component, f"v{oldest}") is None
    assert out_of_range(component, newest) is None
    old = out_of_range(component, too_old)
    assert old is not None and "older than obsc supports" in old
    assert supported.describe() in old and supported.why_minimum in old
    new = out_of_range(component, too_new)
    assert new is not None and "newer than obsc supports" in new
    assert supported.why_below in new
    # A release candidate of the oldest supported release comes before it.
    assert out_of_range(component, f"{oldest}-rc.1") is not None


def test_a_version_that_is_not_a_release_number_is_out_of_range() -> None:
    problem = out_of_range("loki", "3.x")
    assert problem is not None and "not a release number" in problem


def test_an_old_collector_pin_is_refused_at_its_version(
    minimal_repo: Path, obsc: ObscRunner
) -> None:
    project = _pin(minimal_repo, 'collector: {version: "0.96.0"}')
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    where = _position(project, '"0.96.0"')
    assert f"specs/project.yaml:{where}: error[OBSC319]: project.stack.collector.version" in (
        result.err
    )
    assert "collector 0.96.0 is older than obsc supports (>= 0.155.0, < 0.160.0)" in result.err
    assert "file_log" in result.err and "otlp_grpc" in result.err
    assert "hint: pin a collector version >= 0.155.0, < 0.160.0" in result.err
    assert "Traceback" not in result.err


def test_every_component_out_of_range_is_reported_at_once(
    minimal_repo: Path, obsc: ObscRunner
) -> None:
    _pin(minimal_repo, 'loki: {version: "2.9.8"}\ngrafana: {version: "v13.0.0"}')
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    assert "loki 2.9.8 is older than obsc supports" in result.err
    assert "grafana v13.0.0 is newer than obsc supports" in result.err


def test_pins_in_range_and_a_custom_image_resolve(minimal_repo: Path) -> None:
    _pin(minimal_repo, 'collector: {version: "v0.155.0", image: registry.local/otelcol}')
    stack = load_estate(minimal_repo).resolved.environments["dev"].stack
    assert stack.collector.version == "0.155.0"
    assert stack.collector.image == "registry.local/otelcol:0.155.0"


# --- retention ---------------------------------------------------------------------------


def test_prometheus_keeps_the_longest_slo_window_plus_two_days(minimal_repo: Path) -> None:
    for model in load_estate(minimal_repo).resolved.environments.values():
        retention = model.stack.prometheus.retention
        assert (retention.period, retention.minimum) == ("32d", "32d")
        assert retention.period_seconds == retention.minimum_seconds == 32 * 86_400
        assert retention.required_by == "the 30d window of SLO api/availability, plus a 2d margin"


def test_the_window_of_each_environment_decides(minimal_repo: Path) -> None:
    service = minimal_repo / "specs" / "services" / "api.yaml"
    text = service.read_text().replace("window: 28d", "window: 6w")
    service.write_text(text.replace("prod: {sampling: 0.05}", "prod: {enabled: false}"))
    environments = load_estate(minimal_repo).resolved.environments
    assert environments["dev"].stack.prometheus.retention.period == "44d"
    # Without services (so without SLOs), Prometheus keeps its upstream default.
    prod = environments["prod"].stack.prometheus.retention
    assert (prod.period, prod.minimum, prod.required_by) == ("15d", None, None)


def test_loki_keeps_30_days_by_default(minimal_repo: Path) -> None:
    retention = load_estate(minimal_repo).resolved.environments["dev"].stack.loki.retention
    assert (retention.period, retention.minimum) == ("30d", "1d")


def test_retention_can_be_raised_and_is_written_in_one_unit(minimal_repo: Path) -> None:
    _pin(minimal_repo, "prometheus: {retention: 2160h}\nloki: {retention: 1w2d}")
    stack = load_estate(minimal_repo).resolved.environments["dev"].stack
    assert stack.prometheus.retention.period == "90d"
    assert stack.prometheus.version == DEFAULT_STACK["prometheus"][1]
    assert stack.loki.retention.period == "9d"


def test_prometheus_retention_under_the_slo_window_is_refused(
    minimal_repo: Path, obsc: ObscRunner
) -> None:
    project = _pin(minimal_repo, "prometheus: {retention: 31d}")
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    where = _position(project, "31d")
    assert (
        f"specs/project.yaml:{where}: error[OBSC320]: project.stack.prometheus.retention: "
        "prometheus retention 31d is shorter than environment 'dev' needs: at least 32d "
        "(the 30d window of SLO api/availability, plus a 2d margin)"
    ) in result.err
    assert "hint: set it to 32d or more" in result.err
    assert result.err.count("OBSC320") == 1


def test_loki_retention_under_a_day_is_refused(minimal_repo: Path, obsc: ObscRunner) -> None:
    _pin(minimal_repo, "loki: {retention: 12h}")
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    assert "loki retention 12h is shorter than environment 'dev' needs: at least 1d" in result.err


# --- images with their own tag or digest -------------------------------------------------

DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("registry.local/otelcol:0.155.0", "registry.local/otelcol:0.155.0"),
        ("registry.local:5000/otelcol:v0.155.0", "registry.local:5000/otelcol:v0.155.0"),
        (f"registry.local/otelcol@{DIGEST}", f"registry.local/otelcol@{DIGEST}"),
        (f"registry.local/otelcol:0.155.0@{DIGEST}", f"registry.local/otelcol:0.155.0@{DIGEST}"),
        ("registry.local:5000/otelcol", "registry.local:5000/otelcol:0.155.0"),
    ],
)
def test_an_image_with_its_tag_or_digest_is_used_as_is(
    minimal_repo: Path, image: str, expected: str
) -> None:
    _pin(minimal_repo, f'collector: {{version: "0.155.0", image: "{image}"}}')
    stack = load_estate(minimal_repo).resolved.environments["dev"].stack
    assert stack.collector.image == expected


def test_an_image_tag_that_contradicts_the_version_is_refused(
    minimal_repo: Path, obsc: ObscRunner
) -> None:
    project = _pin(
        minimal_repo, 'collector: {image: "otel/opentelemetry-collector-contrib:0.158.0"}'
    )
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    where = _position(project, '"otel/opentelemetry')
    assert f"specs/project.yaml:{where}: error[OBSC321]" in result.err, result.err
    assert "'0.158.0' contradicts the version obsc renders config for, 0.159.0" in result.err


def test_an_image_that_is_not_a_reference_is_refused(minimal_repo: Path, obsc: ObscRunner) -> None:
    _pin(minimal_repo, 'collector: {image: "Otel/collector:{{x}}"}')
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    assert "error[OBSC104]: project.stack.collector.image" in result.err, result.err
