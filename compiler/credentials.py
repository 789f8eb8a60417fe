"""What a credential looks like: in a value, in a mapping key, or in the name of a field.

One place for the heuristics, so that the spec checks (`compiler/spec/secrets.py`) and the
diagnostics that mask text before showing it (`compiler/errors.py`) agree on what a secret
is. Pure functions over strings; no imports from the rest of obsc.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from functools import lru_cache

# Each: what it is, the pattern, and an optional second look at the match (fewer false
# positives than a looser pattern: "Basic authentication" is prose, "Basic dXNlcjpw" is not).
_Check = Callable[[re.Match[str]], bool]
_URL_SECRET_PARAMS = (
    "token|access_token|auth_token|api_key|apikey|api-key|key|secret|client_secret|"
    "password|passwd|pass|sig|signature|auth|code|private_token|x-amz-signature"
)


def _is_basic_credential(match: re.Match[str]) -> bool:
    """`Basic <base64>` where the base64 decodes to `user:password`."""
    encoded = match.group("basic")
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded


def _is_webhook_token(match: re.Match[str]) -> bool:
    """A random-looking URL path segment that is a webhook's credential.

    Random-looking: digits, upper and lower case letters; a webhook's: the URL says it is a
    hook, or the segment is padded base64. A document id in a runbook link (Google Docs, a
    Grafana uid) looks random too, but is neither, and must not be refused.
    """
    token = match.group("token")
    mixed = (
        any(c.isdigit() for c in token)
        and any(c.isupper() for c in token)
        and any(c.islower() for c in token)
    )
    return mixed and ("hook" in match.group(0).lower() or token.endswith("="))


_PATTERNS: tuple[tuple[str, re.Pattern[str], _Check | None], ...] = (
    ("a Slack webhook URL", re.compile(r"hooks\.slack\.com/(services|workflows|triggers)/"), None),
    ("a Slack token", re.compile(r"\bxox[abeprs]-[A-Za-z0-9-]{10,}"), None),
    ("a Microsoft Teams webhook URL", re.compile(r"\.webhook\.office\.com/webhookb2/"), None),
    ("a Discord webhook URL", re.compile(r"discord(app)?\.com/api/webhooks/\d+/"), None),
    (
        "a PagerDuty integration URL",
        re.compile(r"events\.pagerduty\.com/integration/[0-9a-f]{20,}"),
        None,
    ),
    (
        "a JSON Web Token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\."),
        None,
    ),
    ("an AWS access key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), None),
    (
        "a GitHub token",
        re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36}|github_pat_\w{40,})"),
        None,
    ),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), None),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), None),
    ("a Stripe key", re.compile(r"\b[rs]k_(live|test)_[A-Za-z0-9]{16,}"), None),
    ("a SendGrid API key", re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"), None),
    (
        "an OpenAI or Anthropic API key",
        re.compile(r"\bsk-(proj|ant|svcacct|admin)-[A-Za-z0-9_-]{16,}|\bsk-[A-Za-z0-9]{32,}"),
        None,
    ),
    ("an npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), None),
    ("a PyPI token", re.compile(r"\bpypi-AgE[A-Za-z0-9_-]{20,}"), None),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), None),
    (
        "a password inside a URL",
        re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"),
        None,
    ),
    (
        "a credential in a URL's query",
        re.compile(rf"[?&](?i:{_URL_SECRET_PARAMS})=[^&#\s]{{6,}}"),
        None,
    ),
    (
        "a webhook URL with its token",
        re.compile(
            r"[a-z][a-z0-9+.-]*://[^\s]*?/(?P<token>[A-Za-z0-9+_=-]{24,})(?![A-Za-z0-9+_=-])"
        ),
        _is_webhook_token,
    ),
    ("a bearer token", re.compile(r"\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*"), None),
    (
        "basic-auth credentials",
        re.compile(r"\bBasic\s+(?P<basic>[A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])"),
        _is_basic_credential,
    ),
    (
        "an API key in a header",
        re.compile(
            r"\b(?i:x-honeycomb-team|x-api-key|api-key|apikey|dd-api-key|x-auth-token|"
            r"authorization|private-token|signoz-access-token|lightstep-access-token|"
            r"x-sf-token|x-ingest-token|uptrace-dsn)\s*[=:]\s*[^\s,<>]{8,}"
        ),
        None,
    ),
)

# All of them at once: most text matches none, and one scan is cheaper than twenty.
_ANY_PATTERN = re.compile("|".join(f"(?:{p.pattern})" for _, p, _ in _PATTERNS))


def _matches(text: str) -> list[tuple[str, re.Match[str]]]:
    if not _ANY_PATTERN.search(text):
        return []
    found = []
    for description, pattern, check in _PATTERNS:
        for match in pattern.finditer(text):
            if check is None or check(match):
                found.append((description, match))
    return found


def describe_secret(text: str) -> str:
    """What credential `text` contains ("a Slack token", ...), or '' when none."""
    matches = _matches(text)
    return matches[0][0] if matches else ""


MASK = "<hidden secret>"


def mask_secrets(text: str) -> str:
    """`text` with every credential-looking part replaced by a fixed marker."""
    matches = _matches(text)
    if not matches:
        return text
    spans = sorted((m.start(), m.end()) for _, m in matches)
    out: list[str] = []
    position = 0
    for start, end in spans:
        if end <= position:
            continue
        out.append(text[position : max(start, position)])
        out.append(MASK)
        position = end
    out.append(text[position:])
    return "".join(out)


# --- Names of fields and variables -------------------------------------------------------

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

# A name whose last word is one of these holds a credential: `db-password`, `smtp_pass`,
# `GITHUB_TOKEN`, `clientSecret`.
_SECRET_LAST_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "pwd",
        "passphrase",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
        "authorization",
        "webhook",
        "cookie",
        "dsn",
    }
)
# `<word> key` names a credential for these words: `pagerduty-routing-key`, `API_KEY`.
_SECRET_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "access",
        "secret",
        "private",
        "routing",
        "service",
        "integration",
        "signing",
        "encryption",
        "license",
        "auth",
        "master",
        "ingest",
        "write",
        "app",
        "account",
        "client",
    }
)
# `<word> url` whose URL carries the credential (Slack's `api_url` is its webhook).
_SECRET_URL_QUALIFIERS = frozenset({"webhook", "api", "hook"})


def name_words(name: str) -> list[str]:
    """`pagerdutyRoutingKey`, `PAGERDUTY_ROUTING_KEY`, `pagerduty-routing-key` -> 3 words."""
    return [w.lower() for w in _WORDS.findall(name)]


_OTLP_HEADERS = re.compile(r"OTEL_EXPORTER_OTLP_((TRACES|METRICS|LOGS)_)?HEADERS")


def is_otlp_headers_variable(name: str) -> bool:
    """OTEL_EXPORTER_OTLP_HEADERS and its per-signal forms: where vendors' API keys go."""
    return _OTLP_HEADERS.fullmatch(name) is not None


# Cached: the spec check asks this of every field name of every document, and an estate of
# thousands of services repeats the same few hundred names.
@lru_cache(maxsize=4096)
def is_credential_name(name: str) -> bool:
    """Whether a field or variable called `name` holds a credential by its name."""
    if is_otlp_headers_variable(name):
        return True
    words = name_words(name)
    if not words:
        return False
    last = words[-1]
    if last in _SECRET_LAST_WORDS:
        return True
    before = words[-2] if len(words) > 1 else ""
    if last == "key" and before in _SECRET_KEY_QUALIFIERS:
        return True
    return last == "url" and before in _SECRET_URL_QUALIFIERS


# A long run of letters and digits of mixed kinds, alone: an API key without a known prefix
# (Datadog, PagerDuty routing keys, Honeycomb). Only used where a value is deployed as is
# (environment variables), never on free text, where identifiers look alike.
_OPAQUE_TOKEN = re.compile(r"[A-Za-z0-9+/_=-]{24,}")


def looks_like_opaque_token(text: str) -> bool:
    """A value that is one long random-looking token (digits and letters, no spaces)."""
    if not _OPAQUE_TOKEN.fullmatch(text):
        return False
    digits = sum(c.isdigit() for c in text)
    letters = sum(c.isalpha() for c in text)
    return digits >= 4 and letters >= 4 and len(set(text)) >= 12


_REGEX_SYNTAX = re.compile(r"[\\\[\](){}|*+?^$]")


def is_literal_regex(regex: str) -> bool:
    """A "regex" with no regex syntax at all: a literal string (a pasted value)."""
    return _REGEX_SYNTAX.search(regex) is None


@lru_cache(maxsize=4096)  # every mapping key of every document; keys repeat across services
def looks_like_secret_name(name: str) -> bool:
    """A mapping key or name that is itself a credential (not one that names a credential)."""
    return bool(describe_secret(name)) or looks_like_opaque_token(name)


def shown_name(name: str) -> str:
    """`name` as a message may show it: masked when it is itself a credential."""
    return MASK if looks_like_secret_name(name) else name
