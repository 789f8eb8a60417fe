"""The Alertmanager config: accepted by the pinned amtool, routes as the spec says, no secrets."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.model import EmailSettings, EnvironmentModel, Receiver, Route, SecretRef
from compiler.pipeline import load_estate
from targets.alerts.alertmanager import SECRETS_DIR, render_alertmanager
from tests.conftest import ROOT, ObscRunner
from tests.realtools import Tool

SECRET_FIELDS = {
    "slack": "api_url_file",
    "pagerduty": "routing_key_file",
    "webhook": "url_file",
    "email": "auth_password_file",
    "opsgenie": "api_key_file",
    "msteams": "webhook_url_file",
}
INLINE_SECRETS = {
    "api_url",
    "routing_key",
    "service_key",
    "url",
    "auth_password",
    "auth_secret",
    "api_key",
    "webhook_url",
    "smtp_auth_password",
}


def _models() -> dict[str, EnvironmentModel]:
    return load_estate(ROOT).resolved.environments


def _load(content: bytes) -> dict[str, Any]:
    data = YAML(typ="safe").load(content)
    assert isinstance(data, dict)
    return data


def _write(tmp_path: Path, content: bytes, name: str = "alertmanager.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _amtool(real_tool: Tool, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(real_tool("amtool")), *args], capture_output=True, text=True, check=False
    )


def _check_config(real_tool: Tool, path: Path) -> None:
    done = _amtool(real_tool, "check-config", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def _routes_to(real_tool: Tool, path: Path, labels: dict[str, str]) -> list[str]:
    args = [f"{name}={value}" for name, value in labels.items()]
    done = _amtool(real_tool, "config", "routes", "test", f"--config.file={path}", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip().split(",")


def _with_alerting(model: EnvironmentModel, **changes: Any) -> EnvironmentModel:
    alerting = model.alerting.model_copy(update=changes)
    return model.model_copy(update={"alerting": alerting})


def _receiver(name: str, type_: str, key: str | None = None, **fields: str) -> Receiver:
    ref = SecretRef(name="am-secrets", key=key) if key else None
    return Receiver(
        name=name,
        type=type_,
        channel=fields.get("channel"),
        to=fields.get("to"),
        secret_ref=ref,
    )


def _route(receiver: str, continue_: bool = False, **match: str) -> Route:
    return Route(
        match=tuple(sorted(match.items())),
        receiver=receiver,
        continue_=continue_,
        group_by=None,
        group_wait=None,
        group_interval=None,
        repeat_interval=None,
    )


SMTP = EmailSettings(
    smarthost="smtp.example.com:587",
    from_="am@example.com",
    username="am",
    secret_ref=SecretRef(name="smtp", key="password"),
)
EVERY_TYPE = (
    _receiver("chat", "slack", "k-slack", channel="#alerts"),
    _receiver("pager", "pagerduty", "k-pagerduty"),
    _receiver("hook", "webhook", "k-webhook"),
    _receiver("mail", "email", to="oncall@example.com"),
    _receiver("genie", "opsgenie", "k-opsgenie"),
    _receiver("teams", "msteams", "k-msteams"),
)


@pytest.fixture(scope="module")
def example_configs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("alertmanager")
    return {
        env: _write(root, render_alertmanager(m), f"{env}.yaml") for env, m in _models().items()
    }


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_amtool_accepts_the_example_config(
    real_tool: Tool, example_configs: dict[str, Path], env: str
) -> None:
    _check_config(real_tool, example_configs[env])


ROUTING = [
    ({"team": "payments", "severity": "page"}, "payments-pager"),
    ({"team": "payments", "severity": "ticket"}, "payments-chat"),
    ({"team": "payments"}, "payments-chat"),
    ({"team": "catalog", "severity": "page", "service": "search"}, "catalog-pager"),
    ({"team": "catalog", "severity": "ticket"}, "catalog-chat"),
    ({"team": "identity", "severity": "page"}, "identity-pager"),
    ({"team": "identity", "severity": "ticket"}, "identity-chat"),
    ({"team": "platform", "severity": "page"}, "platform-pager"),
    ({"team": "platform", "severity": "ticket"}, "platform-email"),
    ({"team": "marketing", "severity": "page"}, "unrouted-chat"),
    ({"severity": "page"}, "unrouted-chat"),
]


@pytest.mark.parametrize("env", ["dev", "prod"])
@pytest.mark.parametrize(("labels", "receiver"), ROUTING)
def test_amtool_routes_the_example_alerts(
    real_tool: Tool,
    example_configs: dict[str, Path],
    env: str,
    labels: dict[str, str],
    receiver: str,
) -> None:
    assert _routes_to(real_tool, example_configs[env], labels) == [receiver]


def test_route_knobs_are_carried_and_unset_ones_inherit() -> None:
    routes = _load(render_alertmanager(_models()["prod"]))["route"]["routes"]
    assert routes[0] == {
        "receiver": "payments-pager",
        "matchers": ['severity="page"', 'team="payments"'],
        "group_by": ["alertname", "service", "slo"],
        "group_wait": "30s",
        "repeat_interval": "1h",
    }
    assert routes[2] == {
        "receiver": "catalog-pager",
        "matchers": ['severity="page"', 'team="catalog"'],
    }
    assert routes[-1]["repeat_interval"] == "24h"


def test_root_route_defaults() -> None:
    root = _load(render_alertmanager(_models()["prod"]))["route"]
    assert root["receiver"] == "unrouted-chat"
    assert root["group_by"] == ["alertname", "service", "slo"]
    assert {k: root[k] for k in ("group_wait", "group_interval", "repeat_interval")} == {
        "group_wait": "30s",
        "group_interval": "5m",
        "repeat_interval": "4h",
    }


def test_continue_sends_to_both_receivers(real_tool: Tool, tmp_path: Path) -> None:
    model = _with_alerting(
        _models()["prod"],
        receivers=EVERY_TYPE[:2],
        routes=(_route("chat", continue_=True, team="payments"), _route("pager", team="payments")),
        default_receiver="chat",
    )
    path = _write(tmp_path, render_alertmanager(model))
    _check_config(real_tool, path)
    assert _routes_to(real_tool, path, {"team": "payments"}) == ["chat", "pager"]
    assert _routes_to(real_tool, path, {"team": "catalog"}) == ["chat"]


def test_odd_label_names_and_values_are_quoted(real_tool: Tool, tmp_path: Path) -> None:
    route = _route("pager")
    route = route.model_copy(update={"match": (("k8s.ns", 'a"b\\c'),)})
    model = _with_alerting(
        _models()["prod"], receivers=EVERY_TYPE[:2], routes=(route,), default_receiver="chat"
    )
    path = _write(tmp_path, render_alertmanager(model))
    assert _load(path.read_bytes())["route"]["routes"][0]["matchers"] == ['"k8s.ns"="a\\"b\\\\c"']
    _check_config(real_tool, path)
    assert _routes_to(real_tool, path, {'"k8s.ns"': '"a\\"b\\\\c"'}) == ["pager"]
    assert _routes_to(real_tool, path, {'"k8s.ns"': '"ab"'}) == ["chat"]


def test_without_default_receiver_unrouted_alerts_go_to_blackhole(
    real_tool: Tool, tmp_path: Path
) -> None:
    model = _with_alerting(_models()["prod"], default_receiver=None)
    path = _write(tmp_path, render_alertmanager(model))
    config = _load(path.read_bytes())
    assert config["route"]["receiver"] == "blackhole"
    assert {"name": "blackhole"} in config["receivers"]
    _check_config(real_tool, path)
    assert _routes_to(real_tool, path, {"team": "marketing"}) == ["blackhole"]
    assert _routes_to(real_tool, path, {"team": "payments", "severity": "page"}) == [
        "payments-pager"
    ]


def test_blackhole_name_does_not_clash_with_a_receiver() -> None:
    taken = _receiver("blackhole", "webhook", "k")
    model = _with_alerting(_models()["prod"], receivers=(taken,), routes=(), default_receiver=None)
    config = _load(render_alertmanager(model))
    assert config["route"]["receiver"] == "blackhole-1"
    assert [r["name"] for r in config["receivers"]] == ["blackhole", "blackhole-1"]


def test_with_a_default_receiver_there_is_no_blackhole() -> None:
    config = _load(render_alertmanager(_models()["prod"]))
    assert not [r for r in config["receivers"] if r["name"].startswith("blackhole")]


def test_every_receiver_type_reads_its_secret_from_a_file(real_tool: Tool, tmp_path: Path) -> None:
    model = _with_alerting(
        _models()["prod"], receivers=EVERY_TYPE, routes=(), default_receiver="chat", email=SMTP
    )
    path = _write(tmp_path, render_alertmanager(model))
    _check_config(real_tool, path)
    by_name = {r["name"]: r for r in _load(path.read_bytes())["receivers"]}
    for receiver in EVERY_TYPE:
        (integration,) = by_name[receiver.name][f"{receiver.type}_configs"]
        field = SECRET_FIELDS[receiver.type]
        ref = receiver.secret_ref or SMTP.secret_ref
        assert ref is not None
        assert integration[field] == f"{SECRETS_DIR}/{ref.name}/{ref.key}", receiver.type
    assert by_name["chat"]["slack_configs"][0]["channel"] == "#alerts"


def test_email_uses_the_smtp_relay() -> None:
    model = _with_alerting(
        _models()["prod"], receivers=EVERY_TYPE[3:4], routes=(), default_receiver="mail", email=SMTP
    )
    (mail,) = _load(render_alertmanager(model))["receivers"][0]["email_configs"]
    assert mail == {
        "to": "oncall@example.com",
        "from": "am@example.com",
        "smarthost": "smtp.example.com:587",
        "auth_username": "am",
        "auth_password_file": "/etc/alertmanager/secrets/smtp/password",
        "send_resolved": True,
    }


def test_email_receiver_secret_overrides_the_relay_password_and_auth_is_optional() -> None:
    own = _receiver("mail", "email", "own-password", to="oncall@example.com")
    relay = SMTP.model_copy(update={"username": None, "secret_ref": None})
    model = _with_alerting(
        _models()["prod"], receivers=(own,), routes=(), default_receiver="mail", email=SMTP
    )
    (mail,) = _load(render_alertmanager(model))["receivers"][0]["email_configs"]
    assert mail["auth_password_file"] == "/etc/alertmanager/secrets/am-secrets/own-password"
    bare = _with_alerting(model, receivers=EVERY_TYPE[3:4], email=relay)
    (mail,) = _load(render_alertmanager(bare))["receivers"][0]["email_configs"]
    assert "auth_username" not in mail
    assert "auth_password_file" not in mail


def test_email_receiver_without_relay_is_refused() -> None:
    model = _with_alerting(
        _models()["prod"], receivers=EVERY_TYPE[3:4], routes=(), default_receiver="mail", email=None
    )
    with pytest.raises(ValueError, match=r"alerting\.email"):
        render_alertmanager(model)


def _walk(data: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _walk(v, str(k))
    elif isinstance(data, list):
        for item in data:
            yield from _walk(item, key)
    else:
        yield key, data


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_secrets_appear_only_as_mounted_file_paths(env: str) -> None:
    model = _models()[env]
    content = render_alertmanager(model)
    refs = [r.secret_ref for r in model.alerting.receivers if r.secret_ref]
    assert model.alerting.email is not None and model.alerting.email.secret_ref is not None
    refs.append(model.alerting.email.secret_ref)
    text = content.decode()
    for ref in refs:
        assert f"{SECRETS_DIR}/{ref.name}/{ref.key}\n" in text
    outside = re.sub(re.escape(SECRETS_DIR) + r"/[^/\s]+/[^/\s]+", "<mounted>", text)
    for ref in refs:
        assert ref.key not in outside
        assert ref.name not in outside
    for key, value in _walk(_load(content)):
        assert key not in INLINE_SECRETS, key
        if key.endswith("_file"):
            assert str(value).startswith(SECRETS_DIR + "/"), (key, value)


def test_a_page_inhibits_the_tickets_of_the_same_service_and_slo() -> None:
    config = _load(render_alertmanager(_models()["prod"]))
    # every ticket severity of the example's alerting.severities (ticket, warning)
    assert config["inhibit_rules"][:1] == [  # then one per dependency: test_dependencies.py
        {
            "source_matchers": ['severity="page"'],
            "target_matchers": ['severity=~"ticket|warning"'],
            "equal": ["service", "slo"],
        }
    ]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_output_is_deterministic(env: str) -> None:
    model = _models()[env]
    first = render_alertmanager(model)
    again = render_alertmanager(_models()[env])
    assert first == again
    shuffled = _with_alerting(model, receivers=tuple(reversed(model.alerting.receivers)))
    assert render_alertmanager(shuffled) == first


def test_routes_keep_their_order() -> None:
    model = _models()["prod"]
    reordered = _with_alerting(model, routes=tuple(reversed(model.alerting.routes)))
    routes = _load(render_alertmanager(reordered))["route"]["routes"]
    assert [r["receiver"] for r in routes] == [r.receiver for r in reversed(model.alerting.routes)]


def test_spec_requires_smtp_settings_for_an_email_receiver(
    obsc: ObscRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "specs", repo / "specs")
    shutil.copytree(ROOT / "deploy", repo / "deploy")  # the manifests prod lists
    assert obsc("--repo", repo, "validate").code == 0
    project = repo / "specs" / "project.yaml"
    block = re.search(r"\n    # The SMTP relay.*?smtp-password\}\n", project.read_text(), re.S)
    assert block is not None
    project.write_text(project.read_text().replace(block.group(0), "\n"))
    result = obsc("--repo", repo, "validate")
    assert result.code == 2, result.out + result.err
    errors = [line for line in result.err.splitlines() if "error[" in line]
    assert len(errors) == 1, result.err
    assert "error[OBSC104]: project.alerting: an email receiver needs `email`" in errors[0]


def test_template_fields_expand_to_the_text_written(real_tool: Tool, tmp_path: Path) -> None:
    """Slack `channel`, email `to` and `from` are Go templates in Alertmanager: `{{` in the
    spec comes out as written (amtool renders each field as Alertmanager would)."""
    channel, to, sender = "#a{{b}}{{{c", "x{{.Receiver}}@example.com", "{{am}}@example.com"
    model = _with_alerting(
        _models()["prod"],
        receivers=(
            _receiver("chat", "slack", "k-slack", channel=channel),
            _receiver("mail", "email", to=to),
        ),
        routes=(),
        default_receiver="chat",
        email=SMTP.model_copy(update={"from_": sender}),
    )
    path = _write(tmp_path, render_alertmanager(model))
    _check_config(real_tool, path)
    config = {r["name"]: r for r in _load(path.read_bytes())["receivers"]}
    (tmp_path / "none.tmpl").write_text('{{ define "none" }}{{ end }}\n')
    for field, written in (
        (config["chat"]["slack_configs"][0]["channel"], channel),
        (config["mail"]["email_configs"][0]["to"], to),
        (config["mail"]["email_configs"][0]["from"], sender),
    ):
        glob = f"--template.glob={tmp_path}/*.tmpl"
        done = _amtool(real_tool, "template", "render", glob, f"--template.text={field}")
        assert done.returncode == 0, done.stderr
        assert done.stdout == written
