"""Literal secrets are refused wherever they appear, and never echoed; patterns are not secrets."""

from __future__ import annotations

import pytest

from compiler.errors import DiagnosticSink
from compiler.spec.loader import parse_text
from compiler.spec.secrets import find_literal_secrets

SECRETS = {
    "slack webhook": "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "slack token": "xoxb-123456789012-abcdefghijkl",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    "aws key": "AKIAIOSFODNN7EXAMPLE",
    "github token": "ghp_" + "a" * 36,
    "url with password": "https://admin:s3cret@git.example.com/repo.git",
    "bearer": "Bearer abcdefghijklmnopqrstuvwxyz012345",
    "private key": "-----BEGIN RSA PRIVATE KEY-----",
}


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_secret_values_are_found_anywhere(kind: str) -> None:
    sink = DiagnosticSink()
    text = f"kind: Service\nmetadata:\n  labels:\n    note: '{SECRETS[kind]}'\n"
    (doc,) = parse_text(text, "s.yaml", sink)
    paths = find_literal_secrets(doc, sink)
    assert paths == {("metadata", "labels", "note")}
    (diagnostic,) = sink.errors
    assert diagnostic.code == "OBSC200"
    assert str(diagnostic.location) == "s.yaml:4:11"
    assert SECRETS[kind] not in diagnostic.render()


@pytest.mark.parametrize("key", ["password", "apiKey", "api_key", "routing-key", "webhookURL"])
def test_secret_keys_with_literal_values_are_refused(key: str) -> None:
    sink = DiagnosticSink()
    (doc,) = parse_text(f"spec:\n  {key}: not-so-secret\n", "s.yaml", sink)
    assert find_literal_secrets(doc, sink) == {("spec", key)}


def test_references_and_patterns_are_not_secrets() -> None:
    text = (
        "spec:\n"
        "  secretRef: {name: alertmanager-secrets, key: pagerduty-payments}\n"
        "  custom:\n"
        "    - name: jwt_like\n"
        "      regex: 'eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.'\n"
        "  dropAttributes: [user.password, http.request.header.authorization]\n"
        "  repoURL: https://git.example.com/platform/observability.git\n"
    )
    sink = DiagnosticSink()
    (doc,) = parse_text(text, "s.yaml", sink)
    assert find_literal_secrets(doc, sink) == set()
    assert not sink.items
