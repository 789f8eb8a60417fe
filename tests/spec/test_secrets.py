"""Literal secrets are refused wherever they appear, and never echoed; patterns are not secrets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.credentials import MASK, mask_secrets
from compiler.errors import DiagnosticSink
from compiler.spec.loader import parse_text
from compiler.spec.secrets import find_literal_secrets
from tests.conftest import FIXTURES, ObscRunner

SECRETS = {
    "slack webhook": "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "slack token": "xoxb-123456789012-abcdefghijkl",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    "aws key": "AKIAIOSFODNN7EXAMPLE",
    "github token": "ghp_" + "a" * 36,
    "url with password": "https://admin:s3cret@git.example.com/repo.git",
    "bearer": "Bearer abcdefghijklmnopqrstuvwxyz012345",
    "private key": "-----BEGIN RSA PRIVATE KEY-----",
    "sendgrid": "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",
    "openai project key": "sk-proj-4f7Hc2bXq9LmZ0aTy8WkR1vN",
    "anthropic key": "sk-ant-api03-Xy7Pq2Lm9Kd4Rt8Wz1Nb6Vc3",
    "npm token": "npm_" + "a1B2c3D4e5F6g7H8i9J0" + "k1L2m3N4o5P6q7R8",
    "token in a url query": "https://alerts.example.com/hook?token=8f14e45fceea167a5a36",
    "basic auth": "Basic YWxlcnRzOnMzY3JldC1wYXNz",
    "base64 webhook": "https://hooks.example.com/notify/aGVsbG8tc2VjcmV0LXdlYmhvb2stMjAyNg==",
    "honeycomb header": "x-honeycomb-team=hcaik_01jab2cd3ef4gh5ij6kl7mn8op",
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


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "apiKey",
        "api_key",
        "routing-key",
        "webhookURL",
        "db-password",
        "smtp_pass",
        "pagerduty-routing-key",
        "CLIENT_SECRET",
    ],
)
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


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_secret_keys_are_found_and_never_shown(kind: str) -> None:
    sink = DiagnosticSink()
    text = f"kind: Service\nmetadata:\n  labels:\n    '{SECRETS[kind]}': x\n"
    (doc,) = parse_text(text, "s.yaml", sink)
    assert find_literal_secrets(doc, sink) == {("metadata", "labels", SECRETS[kind])}
    (diagnostic,) = sink.errors
    assert diagnostic.code == "OBSC200"
    assert str(diagnostic.location) == "s.yaml:4:5"
    assert SECRETS[kind] not in diagnostic.render()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OTEL_EXPORTER_OTLP_HEADERS", "x-honeycomb-team=abc"),
        ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "api-key=abc"),
        ("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "anything"),
        ("DD_API_KEY", "abc"),
        ("SOME_SETTING", "9f86d081884c7d659a2feaa0c55ad015"),
        ("SOME_SETTING", "sk-proj-4f7Hc2bXq9LmZ0aTy8WkR1vN"),
    ],
)
def test_credential_environment_variables_need_a_secret_ref(name: str, value: str) -> None:
    sink = DiagnosticSink()
    text = f"kind: Framework\nspec:\n  instrumentation:\n    env:\n      {name}: '{value}'\n"
    (doc,) = parse_text(text, "f.yaml", sink)
    assert find_literal_secrets(doc, sink) == {("spec", "instrumentation", "env", name)}
    (diagnostic,) = sink.errors
    assert "secretRef" in diagnostic.hint
    assert value not in diagnostic.render()


def test_ordinary_instrumentation_variables_are_not_secrets() -> None:
    text = (
        "kind: Framework\n"
        "spec:\n"
        "  instrumentation:\n"
        "    env:\n"
        "      JAVA_TOOL_OPTIONS: -javaagent:/otel-auto-instrumentation/javaagent.jar\n"
        "      NODE_OPTIONS: --require @opentelemetry/auto-instrumentations-node/register\n"
        "      OTEL_EXPORTER_OTLP_HEADERS: {secretRef: {name: honeycomb, key: otlp-headers}}\n"
        "      OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED: 'true'\n"
    )
    sink = DiagnosticSink()
    (doc,) = parse_text(text, "f.yaml", sink)
    assert find_literal_secrets(doc, sink) == set()
    assert not sink.items


def test_a_pasted_credential_as_a_regex_is_a_warning_not_shown() -> None:
    secret = SECRETS["openai project key"]
    text = f"spec:\n  custom:\n    - name: leaked\n      regex: '{secret}'\n"
    sink = DiagnosticSink()
    (doc,) = parse_text(text, "p.yaml", sink)
    assert find_literal_secrets(doc, sink) == set()
    (warning,) = sink.warnings
    assert warning.code == "OBSC201"
    assert str(warning.location) == "p.yaml:4:14"
    assert secret not in warning.render()


def test_a_secret_as_an_unknown_field_name_is_masked(obsc: ObscRunner, minimal_repo: Path) -> None:
    secret = SECRETS["github token"]
    service = minimal_repo / "specs" / "services" / "api.yaml"
    service.write_text(
        service.read_text().replace("  port: 5000\n", f"  port: 5000\n  {secret}: 1\n")
    )
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    assert "OBSC100" in result.err and "OBSC200" in result.err
    assert secret not in result.out + result.err


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_messages_mask_secrets_whatever_surrounds_them(kind: str) -> None:
    for text in (f"'{SECRETS[kind]}'", f"field {SECRETS[kind]}: bad", f'"{SECRETS[kind]}",'):
        masked = mask_secrets(text)
        assert SECRETS[kind] not in masked
        assert MASK in masked


@pytest.mark.parametrize(
    "entry",
    [
        "{name: leaked}",
        "{name: leaked, regex: 'lk_[a-z]+', secretRef: {name: leaked, key: api-key}}",
    ],
)
def test_a_custom_pattern_is_a_regex_or_a_secret_ref(
    obsc: ObscRunner, minimal_repo: Path, entry: str
) -> None:
    project = minimal_repo / "specs" / "project.yaml"
    project.write_text(
        project.read_text().replace("      custom:\n", f"      custom:\n        - {entry}\n")
    )
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    assert "error[OBSC104]" in result.err
    assert "exactly one of `regex` (RE2) or `secretRef`" in result.err


def test_a_secret_ref_pattern_validates(obsc: ObscRunner, minimal_repo: Path) -> None:
    project = minimal_repo / "specs" / "project.yaml"
    entry = "{name: leaked_key, secretRef: {name: leaked, key: api-key}}"
    project.write_text(
        project.read_text().replace("      custom:\n", f"      custom:\n        - {entry}\n")
    )
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    "url",
    [
        "https://docs.google.com/document/d/1aBcD3fGhIjKlMnOpQrStUvWxYz0123456789/edit",
        "https://grafana.example.com/d/AbC123xYz9876543210qwerty/checkout-overview",
        "https://www.notion.so/Checkout-Runbook-8f14e45fceea167a5a36fe2a1b3c4d5e",
        "https://runbooks.example.com/checkout?section=latency&version=2",
    ],
)
def test_runbook_links_with_random_looking_ids_are_not_secrets(url: str) -> None:
    sink = DiagnosticSink()
    (doc,) = parse_text(f"spec:\n  runbook: '{url}'\n", "s.yaml", sink)
    assert find_literal_secrets(doc, sink) == set()


def test_references_that_would_share_a_variable_are_refused(
    obsc: ObscRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "secret-refs", repo)
    framework = repo / "specs" / "frameworks" / "flask-honeycomb.yaml"
    framework.write_text(
        framework.read_text().replace(
            "    env:\n",
            "    env:\n      OTEL_EXTRA: {secretRef: {name: honeycomb, key: OTLP_headers}}\n",
        )
    )
    result = obsc("--repo", repo, "validate")
    assert result.code == 2
    assert "error[OBSC202]" in result.err
    assert "OBSC_SECRET_HONEYCOMB__OTLP_HEADERS" in result.err
    assert result.err.count("error[") == 1
