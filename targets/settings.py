"""Checked values of `obsc render --set TARGET.KEY=VALUE` settings, shared by the targets.

Each parser takes the full key (for the message) and the raw value, and returns the value
or raises ValueError with a message fit for the user.
"""

from __future__ import annotations

import re

# Prometheus' duration syntax (also the collector's and Alertmanager's for these values).
_DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
_HOST = re.compile(r"^[A-Za-z0-9_.\-]+$|^\[[0-9A-Fa-f:.]+\]$")


def port(key: str, value: str) -> int:
    """A TCP port, 1-65535."""
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ValueError(f"{key}: expected a port 1-65535, got {value!r}")
    return int(value)


def address(key: str, value: str) -> str:
    """HOST:PORT (an IPv6 host in brackets); the host may be empty (every interface)."""
    host, sep, number = value.rpartition(":")
    if not sep or (host and not _HOST.match(host)):
        raise ValueError(f"{key}: expected HOST:PORT, got {value!r}")
    if not number.isdigit() or not 0 < int(number) < 65536:
        raise ValueError(f"{key}: expected HOST:PORT with a port 1-65535, got {value!r}")
    return value


def url(key: str, value: str) -> str:
    """An http(s) URL with a host, without a trailing slash."""
    scheme, sep, rest = value.partition("://")
    host = rest.split("/", 1)[0]
    if scheme not in ("http", "https") or not sep or not host or any(c.isspace() for c in value):
        raise ValueError(f"{key}: expected an http:// or https:// URL, got {value!r}")
    return value.rstrip("/")


def duration(key: str, value: str) -> str:
    """A Prometheus duration such as 2s, 500ms or 1m30s."""
    if not _DURATION.match(value) or not any(c in "123456789" for c in value):
        raise ValueError(f"{key}: expected a duration such as 2s, 500ms or 1m, got {value!r}")
    return value


def directory(key: str, value: str) -> str:
    """An absolute directory path, without a trailing slash."""
    if not value.startswith("/") or any(c in value for c in "\n\0*?"):
        raise ValueError(f"{key}: expected an absolute directory path, got {value!r}")
    return value.rstrip("/") or "/"
