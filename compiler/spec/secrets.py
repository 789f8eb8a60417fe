"""Refuse literal secrets in specs: they would end up in git and in rendered/.

Specs name secrets (`secretRef: {name, key}`); a value that looks like a credential is an
error wherever it appears. The value itself is never repeated in a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from compiler.errors import DiagnosticSink
from compiler.spec.loader import Document, PathKey
from compiler.spec.paths import spec_path

_VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Slack webhook URL", re.compile(r"hooks\.slack\.com/(services|workflows)/")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a Microsoft Teams webhook URL", re.compile(r"\.webhook\.office\.com/webhookb2/")),
    ("a Discord webhook URL", re.compile(r"discord(app)?\.com/api/webhooks/\d+/")),
    ("a JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.")),
    ("an AWS access key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36}|github_pat_\w{40,})")),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a Stripe key", re.compile(r"\b[sr]k_(live|test)_[A-Za-z0-9]{16,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a password inside a URL", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")),
    ("a bearer token", re.compile(r"\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*")),
)

# All of them at once: most values match none, and one scan of a value is cheaper than 13.
_ANY_VALUE_PATTERN = re.compile("|".join(f"(?:{p.pattern})" for _, p in _VALUE_PATTERNS))

# Keys whose value is a credential by name (compared lower-case, without '-' and '_').
_SECRET_KEYS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "apitoken",
        "accesskey",
        "secretkey",
        "privatekey",
        "clientsecret",
        "webhook",
        "webhookurl",
        "apiurl",
        "routingkey",
        "servicekey",
        "integrationkey",
        "authorization",
        "bearertoken",
        "credentials",
        "authpassword",
        "smtpauthpassword",
    }
)

# Fields that hold patterns or detection strings, not values to deploy.
_PATTERN_FIELDS = ("regex", "match")


def _strings(data: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))
    elif isinstance(data, str):
        yield path, data


def _classify(path: PathKey, value: str) -> str:
    last = path[-1] if path else ""
    if isinstance(last, str):
        if last in _PATTERN_FIELDS:
            return ""
        normalized = last.lower().replace("-", "").replace("_", "")
        if normalized in _SECRET_KEYS and value.strip():
            return f"a literal value for {last!r}"
    if not _ANY_VALUE_PATTERN.search(value):
        return ""
    for description, pattern in _VALUE_PATTERNS:
        if pattern.search(value):
            return description
    return ""


def find_literal_secrets(document: Document, sink: DiagnosticSink) -> set[PathKey]:
    """Report every value of `document` that looks like a credential; return their paths."""
    found: set[PathKey] = set()
    for path, value in _strings(document.data, ()):
        what = _classify(path, value)
        if not what:
            continue
        found.add(path)
        sink.error(
            "OBSC200",
            f"this looks like {what}: specs must not contain secrets (value not shown)",
            document.location(path),
            spec_path(document, path),
            hint="keep the secret in your secret store and refer to it by name: "
            "secretRef: {name: <secret>, key: <key>}",
        )
    return found
