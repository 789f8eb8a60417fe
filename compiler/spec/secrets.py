"""Refuse literal secrets in specs: they would end up in git and in rendered/.

Specs name secrets (`secretRef: {name, key}`); a value *or a mapping key* that looks like
a credential is an error wherever it appears (a label key lands in model.json as surely
as a label value). A Framework's `instrumentation.env` is stricter: variables that carry
credentials by name (OTEL_EXPORTER_OTLP_HEADERS, *_PASSWORD, *_TOKEN, ...) or whose value
is a long opaque token must take the `{secretRef: {name, key}}` form, which the compose
and Helm targets render from the secret, never the value. A custom redaction `regex` is a
pattern, not a value, and is exempt; a "regex" that is a pasted credential is a warning
(a known secret is redacted by reference instead: `custom: [{name, secretRef}]`).
The secret itself is never repeated in a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.credentials import (
    describe_secret,
    is_credential_name,
    is_literal_regex,
    is_otlp_headers_variable,
    looks_like_opaque_token,
    looks_like_secret_name,
)
from compiler.errors import DiagnosticSink
from compiler.spec.loader import Document, PathKey
from compiler.spec.paths import spec_path

# Fields that hold patterns or detection strings, not values to deploy.
_PATTERN_FIELDS = ("regex", "match")
_ENV_PATH = ("spec", "instrumentation", "env")

_HINT = (
    "keep the secret in your secret store and refer to it by name: "
    "secretRef: {name: <secret>, key: <key>}"
)
_ENV_HINT = (
    "give the variable from a secret: {name}: {{secretRef: {{name: <secret>, key: <key>}}}} "
    "(compose reads it from the environment variable the overlay names, Helm from the "
    "Kubernetes Secret)"
)
_REGEX_HINT = (
    "to redact a known secret without writing it down, give it by reference: "
    "custom: [{name: <name>, secretRef: {name: <secret>, key: <key>}}] (the collector reads "
    "it from its environment), or write a pattern for the secret's format"
)


def _strings(data: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))
    elif isinstance(data, str):
        yield path, data


def _keys(data: Any, path: PathKey) -> Iterator[PathKey]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key)
            yield from _keys(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _keys(value, (*path, index))


def _classify_key(key: str) -> str:
    if not looks_like_secret_name(key):
        return ""
    return describe_secret(key) or "an API key"


def _classify_env(name: str, value: str) -> str:
    if is_otlp_headers_variable(name):
        return f"{name}, which carries the exporter's credentials (vendor API keys)"
    if is_credential_name(name):
        return f"a literal value for {name!r}"
    what = describe_secret(value)
    if what or looks_like_opaque_token(value):
        return f"{what or 'an API key'} in {name!r}"
    return ""


def _classify(path: PathKey, value: str) -> str:
    last = path[-1] if path else ""
    if not isinstance(last, str):
        return describe_secret(value)
    if last in _PATTERN_FIELDS:
        return ""
    if path[:-1] == _ENV_PATH:
        return _classify_env(last, value)
    if is_credential_name(last) and value.strip():
        return f"a literal value for {last!r}"
    return describe_secret(value)


def _literal_credential_regex(path: PathKey, value: str) -> bool:
    return (
        path[-1:] == ("regex",)
        and is_literal_regex(value)
        and bool(describe_secret(value) or looks_like_opaque_token(value))
    )


def find_literal_secrets(document: Document, sink: DiagnosticSink) -> set[PathKey]:
    """Report every key and value of `document` that looks like a credential; return paths."""
    found: set[PathKey] = set()
    for path in _keys(document.data, ()):
        what = _classify_key(str(path[-1]))
        if what:
            found.add(path)
            sink.error(
                "OBSC200",
                f"this key looks like {what}: specs must not contain secrets, not even as "
                "names (key not shown)",
                document.key_location(path),
                spec_path(document, path[:-1]),
                hint=_HINT,
            )
    for path, value in _strings(document.data, ()):
        if path in found:
            continue  # its key is the secret, already reported
        if _literal_credential_regex(path, value):
            sink.warning(
                "OBSC201",
                "this regex has no regex syntax and looks like a credential: it is written "
                "into the collector config as it is (value not shown)",
                document.location(path),
                spec_path(document, path),
                hint=_REGEX_HINT,
            )
            continue
        what = _classify(path, value)
        if not what:
            continue
        found.add(path)
        env = path[:-1] == _ENV_PATH
        sink.error(
            "OBSC200",
            f"this looks like {what}: specs must not contain secrets (value not shown)",
            document.location(path),
            spec_path(document, path),
            hint=_ENV_HINT.format(name=path[-1]) if env else _HINT,
        )
    return found
