"""What `obsc verify` reads: the rendered tree (must be current), endpoints and credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ObscRunner
from tests.verify.stack import FakeStack


def add_endpoints(repo: Path, block: str) -> None:
    project = repo / "specs" / "project.yaml"
    text = project.read_text()
    marker = "      sampling: 1.0\n"
    project.write_text(text.replace(marker, marker + block, 1))


def test_stale_rendered_tree_exits_2_with_a_hint(obsc: ObscRunner, repo: Path) -> None:
    add_endpoints(repo, "      redaction: pii-strict\n")
    result = obsc("--repo", repo, "verify", "--env", "dev", "--prometheus", "http://127.0.0.1:9")
    assert result.code == 2
    assert "the specs changed since it was rendered; run `obsc render`" in result.err
    assert "Traceback" not in result.err


def test_hand_edited_rendered_file_exits_2(obsc: ObscRunner, repo: Path) -> None:
    path = repo / "rendered" / "dev" / "alerts" / "alertmanager.yaml"
    path.write_text(path.read_text() + "# edited\n")
    result = obsc("--repo", repo, "verify", "--env", "dev", "--prometheus", "http://127.0.0.1:9")
    assert result.code == 2
    assert "dev/alerts/alertmanager.yaml differs from what the manifest records" in result.err


def test_missing_rendered_tree_exits_2(obsc: ObscRunner, repo: Path, tmp_path: Path) -> None:
    result = obsc(
        "--repo", repo, "--output", "json", "verify", "--env", "dev",
        "--rendered", tmp_path / "nowhere", "--prometheus", "http://127.0.0.1:9",
    )  # fmt: skip
    assert result.code == 2
    data = json.loads(result.out)
    assert data["ok"] is False and data["exitCode"] == 2
    assert "manifest.json is missing" in data["error"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "stage", "--prometheus", "http://127.0.0.1:9"], "unknown environment 'stage'"),
        (["--env", "dev", "--prometheus", "http://127.0.0.1:9", "--service", "apj"], "did you"),
        (["--env", "dev"], "no endpoints for environment 'dev'"),
        (["--env", "dev", "--prometheus", "localhost:9090"], "expected a base URL"),
        (["--env", "dev", "--prometheus", "http://x", "--wait", "soon"], "not a duration"),
    ],
)
def test_usage_errors_exit_2(obsc: ObscRunner, repo: Path, args: list[str], message: str) -> None:
    result = obsc("--repo", repo, "verify", *args)
    assert result.code == 2
    assert message in result.err


def test_endpoints_and_credentials_from_the_project(
    obsc: ObscRunner, repo: Path, stack: FakeStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = repo / "loki-token"
    token.write_text("file-token\n")
    add_endpoints(
        repo,
        "      endpoints:\n"
        f"        prometheus: {{url: '{stack.url('prometheus')}',"
        " auth: {bearerTokenEnv: OBSC_TEST_PROM_TOKEN}}\n"
        f"        loki: {{url: '{stack.url('loki')}', auth: {{bearerTokenFile: '{token}'}}}}\n"
        f"        grafana: {{url: '{stack.url('grafana')}',"
        " auth: {basicAuthUser: admin, basicAuthPasswordEnv: OBSC_TEST_GRAFANA_PASSWORD}}\n"
        f"        tempo: {stack.url('tempo')}\n",
    )
    assert obsc("--repo", repo, "--quiet", "render").code == 0
    monkeypatch.setenv("OBSC_TEST_PROM_TOKEN", "env-token")
    monkeypatch.delenv("OBSC_TEST_GRAFANA_PASSWORD", raising=False)
    result = obsc("--repo", repo, "verify", "--env", "dev")
    assert result.code == 2
    assert "names $OBSC_TEST_GRAFANA_PASSWORD, which is not set" in result.err
    monkeypatch.setenv("OBSC_TEST_GRAFANA_PASSWORD", "pw")
    result = obsc("--repo", repo, "--output", "json", "verify", "--env", "dev")
    assert result.code == 0, result.out
    headers = {
        name: {r[3].get("Authorization") for r in stack.servers[name].requests}
        for name in ("prometheus", "loki", "grafana", "tempo")
    }
    assert headers == {
        "prometheus": {"Bearer env-token"},
        "loki": {"Bearer file-token"},
        "grafana": {"Basic YWRtaW46cHc="},  # admin:pw
        "tempo": {None},
    }
    # a flag wins, and the Project's credentials are not sent to another address
    before = len(stack.servers["prometheus"].requests)
    result = obsc(
        "--repo", repo, "verify", "--env", "dev", "--prometheus", stack.url("prometheus") + "/"
    )
    assert result.code == 0
    sent = stack.servers["prometheus"].requests[before:]
    assert sent and all("Authorization" not in r[3] for r in sent)


@pytest.mark.parametrize(
    ("block", "code"),
    [
        ("      endpoints:\n        loki: {url: 'http://l', auth: {bearerToken: abcd1234}}\n",
         "OBSC200"),
        ("      endpoints:\n        loki: 'http://admin:hunter22@loki:3100'\n", "OBSC200"),
        ("      endpoints:\n        loki: {url: 'http://l', auth: {basicAuthUser: a}}\n",
         "OBSC104"),
        ("      endpoints:\n        lokki: 'http://l'\n", "OBSC100"),
    ],
)  # fmt: skip
def test_literal_credentials_in_endpoints_are_rejected(
    obsc: ObscRunner, repo: Path, block: str, code: str
) -> None:
    add_endpoints(repo, block)
    result = obsc("--repo", repo, "validate")
    assert result.code == 2
    assert f"error[{code}]" in result.err
    assert "abcd1234" not in result.err and "hunter22" not in result.err
