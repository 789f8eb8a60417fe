"""Constrained scalar types shared by the spec models: names, durations, ports, regexes.

Each validator raises a PydanticCustomError whose type the validator stage maps to an
obsc error code, so the message a user sees says what was expected in spec terms.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_DURATION_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
# Prometheus' model.ParseDuration: each unit at most once, from the largest to the smallest
# (`1h30m`, not `30m1h` or `7d7d`).
_DURATION = re.compile(r"^(?=\d)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$")
# Prometheus and Alertmanager hold durations as Go time.Duration: int64 nanoseconds.
_MAX_DURATION_SECONDS = (2**63 - 1) / 1e9

_UNIT_SECONDS = {
    "ms": 0.001,
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86400,
    "w": 7 * 86400,
    "y": 365 * 86400,
}


def check_dns_label(value: str) -> str:
    """Names become file names and Kubernetes object names, so they must be DNS-1123 labels."""
    if len(value) > 63 or not _DNS_LABEL.match(value):
        raise PydanticCustomError(
            "dns_label",
            "must be a DNS-1123 label (lower-case letters, digits and '-', starting and "
            "ending with a letter or digit, at most 63 characters), got '{value}'",
            {"value": value},
        )
    return value


def check_identifier(value: str) -> str:
    """Pattern names end up in OTTL statements and metric labels: snake_case only."""
    if len(value) > 63 or not _IDENTIFIER.match(value):
        raise PydanticCustomError(
            "identifier",
            "must be a snake_case identifier (a-z, 0-9 and '_', starting with a letter), "
            "got '{value}'",
            {"value": value},
        )
    return value


def check_duration(value: str) -> str:
    """Durations are Prometheus-style strings: `300ms`, `5m`, `1h30m`, `30d`."""
    if not _DURATION.match(value) or duration_seconds(value) <= 0:
        raise PydanticCustomError(
            "duration",
            "must be a positive duration such as 300ms, 5m, 1h30m or 30d (each unit at most "
            "once, largest first), got '{value}'",
            {"value": value},
        )
    if duration_seconds(value) > _MAX_DURATION_SECONDS:
        raise PydanticCustomError(
            "duration",
            "must be at most 292y (Prometheus keeps durations in 64-bit nanoseconds), "
            "got '{value}'",
            {"value": value},
        )
    return value


@functools.lru_cache(maxsize=4096)
def duration_seconds(value: str) -> float:
    """The length of a validated duration string in seconds."""
    return float(sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(value)))


def check_regex(value: str) -> str:
    """Custom redaction patterns run in the collector's Go regexp engine (RE2 syntax).

    google-re2 rejects what RE2 cannot do (look-arounds, back-references), which Python's
    own `re` would accept and the collector would then refuse at start-up.
    """
    import re2  # lazy: native extension

    if not value:
        raise PydanticCustomError("regex", "must be a non-empty regular expression", {})
    try:
        re2.compile(value)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise PydanticCustomError(
            "regex",
            "must be an RE2 regular expression (the collector's syntax): {detail}",
            {"detail": str(detail)},
        ) from None
    return value


def check_group_by(value: list[str]) -> list[str]:
    """Alertmanager refuses a repeated label, and `...` beside other labels."""
    repeated = sorted({label for label in value if value.count(label) > 1})
    if repeated:
        raise PydanticCustomError(
            "group_by", "lists {labels} more than once", {"labels": ", ".join(repeated)}
        )
    if "..." in value and len(value) > 1:
        raise PydanticCustomError(
            "group_by",
            "`...` (group by every label) must be the only entry, got {count} entries",
            {"count": len(value)},
        )
    return value


def check_label_matchers(value: str) -> str:
    """A framework's error selector is spliced into `{service="<name>",<selector>}`.

    Parsed as the matchers of one vector selector (promql-parser, as ratio queries are), so
    a value that closes the braces and appends PromQL of its own is refused; so are matchers
    on `service` or `__name__`, which would select another service's series or none.
    """
    import promql_parser  # lazy: native extension

    try:
        parsed = promql_parser.parse(f"obsc_selector{{{value}}}")
    except ValueError as exc:
        raise PydanticCustomError(
            "label_matchers", "must be PromQL label matchers: {detail}", {"detail": str(exc)}
        ) from None
    matchers = getattr(parsed, "matchers", None)
    if (
        not isinstance(parsed, promql_parser.VectorSelector)
        or parsed.name != "obsc_selector"
        or parsed.offset is not None
        or parsed.at is not None
        or matchers is None
        or matchers.or_matchers
        or not matchers.matchers
    ):
        raise PydanticCustomError(
            "label_matchers",
            'must be label matchers only, such as status=~"5.." (no braces, `or` or '
            "other PromQL around them)",
            {},
        )
    taken = sorted({m.name for m in matchers.matchers} & {"service", "__name__"})
    if taken:
        raise PydanticCustomError(
            "label_matchers",
            "must not match on {labels}: obsc selects the service and the metric itself",
            {"labels": ", ".join(taken)},
        )
    return value


_HTTP_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$")
# Control characters (C0, DEL, C1) are refused by the Go YAML readers the path passes
# through (the collector hands its Prometheus receiver's config to Prometheus as YAML).
_URL_PATH = re.compile(r"^/[^\s\x00-\x1f\x7f-\x9f]*$")
_HOST_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_IMAGE_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
# A container image reference as Docker and Kubernetes parse it (distribution/reference):
# [registry[:port]/]path[:tag][@digest].
_IMAGE_REF = re.compile(
    rf"^(?:{_HOST_LABEL}(?:\.{_HOST_LABEL})*(?::[0-9]+)?/)?"
    rf"{_IMAGE_PATH_PART}(?:/{_IMAGE_PATH_PART})*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$"
)


def check_http_url(value: str) -> str:
    """Links people open from alerts and dashboards: no `javascript:` or `data:` URL."""
    if not _HTTP_URL.match(value):
        raise PydanticCustomError(
            "http_url",
            "must be an http:// or https:// URL without spaces or control characters",
            {},
        )
    return value


def check_url_path(value: str) -> str:
    """A path Prometheus scrapes (`/metrics`)."""
    if not _URL_PATH.match(value):
        raise PydanticCustomError(
            "url_path",
            "must be a URL path starting with '/', without spaces or control characters",
            {},
        )
    return value


def check_image_ref(value: str) -> str:
    """Images go into compose files and pod specs, which refuse anything else."""
    if len(value) > 255 or not _IMAGE_REF.match(value):
        raise PydanticCustomError(
            "image_ref",
            "must be a container image reference such as registry.local/otelcol, "
            "registry.local:5000/otelcol:0.159.0 or otelcol@sha256:<digest> (lower-case "
            "path, at most 255 characters)",
            {},
        )
    return value


DnsLabel = Annotated[str, AfterValidator(check_dns_label)]
Identifier = Annotated[str, AfterValidator(check_identifier)]
Duration = Annotated[
    str,
    AfterValidator(check_duration),
    Field(json_schema_extra={"pattern": _DURATION.pattern}),
]
Regex = Annotated[str, AfterValidator(check_regex)]
GroupBy = Annotated[list[Annotated[str, Field(min_length=1)]], AfterValidator(check_group_by)]
LabelMatchers = Annotated[str, Field(min_length=1), AfterValidator(check_label_matchers)]
RunbookUrl = Annotated[
    str,
    AfterValidator(check_http_url),
    Field(json_schema_extra={"pattern": _HTTP_URL.pattern, "description": "http(s) URL."}),
]
UrlPath = Annotated[
    str, AfterValidator(check_url_path), Field(json_schema_extra={"pattern": _URL_PATH.pattern})
]
ImageRef = Annotated[
    str,
    AfterValidator(check_image_ref),
    Field(max_length=255, json_schema_extra={"pattern": _IMAGE_REF.pattern}),
]
Port = Annotated[int, Field(ge=1, le=65535)]
Percent = Annotated[float, Field(gt=0, lt=100)]
Fraction = Annotated[float, Field(ge=0, le=1)]
