"""No secret reaches rendered/, the cache or any message (issue 23, finding 2).

A corpus of credentials in every format the heuristics know is planted, one at a time, as
a value and as a mapping key in every free-text and map field of the four kinds of spec:
each is refused (exit 2, OBSC200), and neither the output nor the cache directory holds
it. Then the estate that gives every credential by reference is rendered with the secrets'
values present where a user keeps them (environment, `.env`, `obs-secrets/`): no value
appears in rendered/, the cache or the output.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import FIXTURES, ObscRunner

ESTATE = FIXTURES / "secret-refs"

CORPUS = {
    "slack webhook": "https://hooks.slack.com/services/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",
    "slack token": "xoxb-2718281828-3141592653-AbCdEfGhIjKlMnOp",
    "teams webhook": "https://contoso.webhook.office.com/webhookb2/7f0c9a4e-1b2d@8e3f/IncomingWebhook/ab12",
    "discord webhook": "https://discord.com/api/webhooks/123456789012/Zx9Yw8Vu7Ts6Rq5Po4Nm",
    "pagerduty url": "https://events.pagerduty.com/integration/0123456789abcdef0123/enqueue",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvYnNjLXRlc3QifQ.c2lnbmF0dXJlLW5vdC1yZWFs",
    "aws key": "AKIAZ7QX4LMN2PRS5TUV",
    "github token": "ghp_R4nd0mT0k3nF0rT3st1ngOnlyAbCdEfGh1234",
    "gitlab token": "glpat-Xy7Pq2Lm9Kd4Rt8Wz1Nb",
    "google key": "AIzaSyB7x9Q2m4K8p1L5n3R6t0W2y4V6u8S0q2Z",
    "stripe key": "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "sendgrid key": "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",
    "openai key": "sk-proj-4f7Hc2bXq9LmZ0aTy8WkR1vNqpo3",
    "anthropic key": "sk-ant-api03-Xy7Pq2Lm9Kd4Rt8Wz1Nb6Vc3Ab",
    "npm token": "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "pypi token": "pypi-AgEIcHlwaS5vcmcCJGE4ZjEyMzQ1Njc4OTA",
    "private key": "-----BEGIN OPENSSH PRIVATE KEY-----",
    "password in url": "postgres://orders:Tr0ub4dor-3@db.internal:5432/orders",
    "token in url query": "https://alerts.example.com/hook?token=8f14e45fceea167a5a36",
    "key in url query": "https://api.example.com/v2/notify?api_key=b3f1c9e7a2d4",
    "base64 webhook": "https://hooks.example.com/notify/aGVsbG8tc2VjcmV0LXdlYmhvb2stMjAyNg==",
    "bearer": "Bearer 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
    "basic auth": "Basic YWxlcnRzOnMzY3JldC1wYXNzd29yZA==",
    "honeycomb header": "x-honeycomb-team=hcaik_01jab2cd3ef4gh5ij6kl7mn8op",
}

# (file, path to the field): every free-text or map-valued field a person writes.
VALUE_FIELDS = [
    ("specs/project.yaml", ("metadata", "labels", "owner")),
    ("specs/project.yaml", ("spec", "alerting", "routes", 0, "match", "team")),
    ("specs/project.yaml", ("spec", "alerting", "receivers", 1, "to")),
    ("specs/project.yaml", ("spec", "alerting", "email", "username")),
    ("specs/project.yaml", ("spec", "redactionPolicies", 0, "replacement")),
    ("specs/project.yaml", ("spec", "redactionPolicies", 0, "dropAttributes")),
    ("specs/project.yaml", ("spec", "stack", "collector", "image")),
    ("specs/project.yaml", ("spec", "compose", "network")),
    ("specs/project.yaml", ("spec", "gitops", "repoURL")),
    ("specs/project.yaml", ("spec", "environments", 0, "endpoints", "prometheus")),
    ("specs/services/api.yaml", ("metadata", "labels", "domain")),
    ("specs/services/api.yaml", ("spec", "runbook")),
    ("specs/services/api.yaml", ("spec", "slos", 0, "description")),
    ("specs/services/api.yaml", ("spec", "environments", "prod", "runbook")),
    ("specs/services/api.yaml", ("spec", "waivers")),
    ("specs/frameworks/flask-honeycomb.yaml", ("spec", "displayName")),
    ("specs/frameworks/flask-honeycomb.yaml", ("spec", "instrumentation", "env", "OTEL_X")),
    ("specs/frameworks/flask-honeycomb.yaml", ("spec", "instrumentation", "requires")),
    ("specs/frameworks/flask-honeycomb.yaml", ("spec", "instrumentation", "notes")),
    ("specs/frameworks/flask-honeycomb.yaml", ("spec", "metrics", "exporter")),
    ("specs/frameworks/flask-honeycomb.yaml", ("spec", "metrics", "requests", "errorSelector")),
    ("snapshots/api.yaml", ("spec", "version")),
    ("snapshots/api.yaml", ("spec", "image")),
    ("snapshots/api.yaml", ("spec", "evidence")),
    ("snapshots/api.yaml", ("spec", "source")),
]
# (file, path to a mapping): the secret becomes one of its keys.
KEY_FIELDS = [
    ("specs/project.yaml", ("metadata", "labels")),
    ("specs/project.yaml", ("spec", "alerting", "routes", 0, "match")),
    ("specs/project.yaml", ("spec",)),
    ("specs/services/api.yaml", ("metadata", "labels")),
    ("specs/services/api.yaml", ("spec", "environments")),
    ("specs/services/api.yaml", ("spec",)),
    ("specs/frameworks/flask-honeycomb.yaml", ("spec", "instrumentation", "env")),
    ("snapshots/api.yaml", ("spec",)),
]
# Fields that hold a list: the secret is planted as an item (waivers: as a reason).
LIST_FIELDS = {"dropAttributes", "requires", "evidence"}


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    return yaml


def _parent(data: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    node: Any = data
    for part in path:
        if isinstance(node, dict) and part not in node:
            node[part] = {}
        node = node[part]
    return node


def _plant_value(data: dict[str, Any], path: tuple[str | int, ...], secret: str) -> None:
    parent, last = _parent(data, path[:-1]), path[-1]
    if last in LIST_FIELDS:
        parent[last] = [secret]
    elif last == "waivers":
        parent[last] = [{"rule": "slo-required", "reason": secret}]
    else:
        parent[last] = secret


def _planted(repo: Path, file: str, mode: str, path: tuple[str | int, ...], secret: str) -> str:
    yaml = _yaml()
    data = yaml.load((repo / file).read_text())
    if mode == "value":
        _plant_value(data, path, secret)
    else:
        _parent(data, path)[secret] = "x"
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _files_holding(root: Path, secret: str) -> list[str]:
    if not root.exists():
        return []
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and secret.encode() in p.read_bytes()
    )


PLANTINGS = [(file, "value", path) for file, path in VALUE_FIELDS] + [
    (file, "key", path) for file, path in KEY_FIELDS
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("file", "mode", "path"),
    PLANTINGS,
    ids=[f"{mode}:{file}:{'.'.join(map(str, p))}" for file, mode, p in PLANTINGS],
)
def test_every_secret_planted_anywhere_is_refused_and_never_repeated(
    obsc: ObscRunner, tmp_path: Path, file: str, mode: str, path: tuple[str | int, ...]
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ESTATE, repo)
    original = (repo / file).read_text()
    cache = tmp_path / "obsc-cache"  # OBSC_CACHE_DIR (tests/conftest.py)
    for name, secret in CORPUS.items():
        (repo / file).write_text(_planted(repo, file, mode, path, secret))
        result = obsc("--repo", repo, "render")
        assert result.code == 2, f"{name}: {result.out}{result.err}"
        assert "OBSC200" in result.err, f"{name}: {result.err}"
        assert secret not in result.out + result.err, f"{name} repeated in a message"
        assert _files_holding(cache, secret) == [], f"{name} in the cache"
        json_result = obsc("--repo", repo, "--output", "json", "render", "--check")
        assert secret not in json_result.out + json_result.err, f"{name} in JSON output"
    assert not (repo / "rendered").exists()
    (repo / file).write_text(original)
    assert obsc("--repo", repo, "render").code == 0


def test_the_planted_estate_is_valid_without_secrets(obsc: ObscRunner, tmp_path: Path) -> None:
    """Each planting changes one field only: the same file with a harmless value validates."""
    repo = tmp_path / "repo"
    shutil.copytree(ESTATE, repo)
    file, path = "specs/services/api.yaml", ("metadata", "labels", "domain")
    (repo / file).write_text(_planted(repo, file, "value", path, "commerce"))
    result = obsc("--repo", repo, "validate")
    assert result.code == 0, result.err


# What a user keeps beside the specs, where compose and Kubernetes find it, never in specs.
REFERENCED = {
    "OBSC_SECRET_HONEYCOMB__OTLP_HEADERS": CORPUS["honeycomb header"],
    "OBSC_SECRET_HONEYCOMB__TRACES_HEADERS": "x-honeycomb-team=" + CORPUS["openai key"],
    "OBSC_SECRET_APP_DB__PASSWORD": "Tr0ub4dor-3-correct-horse",
    "OBSC_SECRET_LEAKED__API_KEY": CORPUS["stripe key"],
}
SECRET_FILES = {
    "app/obs-secrets/alertmanager-secrets/pagerduty-routing-key": "0123456789abcdef01234567",
    "app/obs-secrets/smtp/smtp_pass": "s3cr3t-smtp-Pa55w0rd",
}


def test_an_estate_of_references_renders_no_secret_value(
    obsc: ObscRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ESTATE, repo)
    for variable, value in REFERENCED.items():
        monkeypatch.setenv(variable, value)
    (repo / "app" / ".env").write_text("".join(f"{k}='{v}'\n" for k, v in REFERENCED.items()))
    for name, value in SECRET_FILES.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(value)
    runs = [
        obsc("--repo", repo, "render"),
        obsc("--repo", repo, "render", "--check"),
        obsc("--repo", repo, "--output", "json", "render", "--check"),
        obsc("--repo", repo, "diff", "--format", "markdown"),
        obsc("--repo", repo, "explain", "api", "--env", "prod"),
        obsc("--repo", repo, "--output", "json", "explain", "api"),
    ]
    assert [r.code for r in runs] == [0, 0, 0, 0, 0, 0], [r.err for r in runs]
    overlay = (repo / "rendered" / "dev" / "compose" / "obs-stack.yml").read_text()
    assert "${OBSC_SECRET_HONEYCOMB__OTLP_HEADERS:?" in overlay  # the reference is there
    assert sorted(p.name for p in (tmp_path / "obsc-cache").iterdir())  # the cache was used
    output = "".join(r.out + r.err for r in runs)
    for value in [*REFERENCED.values(), *SECRET_FILES.values()]:
        assert value not in output
        assert _files_holding(repo / "rendered", value) == []
        assert _files_holding(tmp_path / "obsc-cache", value) == []
