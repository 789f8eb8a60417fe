"""Instrumentation variables given by `secretRef`: compose interpolates them, never renders them.

The secret-refs estate's Framework sends its OTLP headers (a vendor's API key) from a
secret, and its redaction policy masks a leaked key given by reference (the collector's
config reads it as `${env:...}`). The overlay names a variable (`OBSC_SECRET_<NAME>__<KEY>`)
that the real compose CLI reads from the `.env` file beside the user's compose file, and
refuses to merge when one is missing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from compiler.model import SecretRef
from compiler.pipeline import render
from tests.compose.tools import compose
from tests.conftest import FIXTURES

OVERLAY = "../rendered/dev/compose/obs-stack.yml"
VALUES = {
    "OBSC_SECRET_HONEYCOMB__OTLP_HEADERS": "x-honeycomb-team=hcaik_01jab2cd3ef4gh5ij6kl7mn8op",
    "OBSC_SECRET_HONEYCOMB__TRACES_HEADERS": "x-honeycomb-dataset=traces,x-honeycomb-team=t0k3n",
    "OBSC_SECRET_APP_DB__PASSWORD": "correct horse battery staple",
    "OBSC_SECRET_LEAKED__API_KEY": "lk_live+Q9.x/Zr==w(7)",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secret-env") / "estate"
    shutil.copytree(FIXTURES / "secret-refs", root)
    render(root, with_policies=False)
    return root


def _config(repo: Path, home: Path) -> tuple[int, str, str]:
    done = compose(
        repo / "app",
        "-f",
        "docker-compose.yml",
        "-f",
        OVERLAY,
        "config",
        "--format",
        "json",
        home=home,
    )
    return done.returncode, done.stdout, done.stderr


def test_the_overlay_names_variables_not_values(repo: Path) -> None:
    overlay = (repo / "rendered" / "dev" / "compose" / "obs-stack.yml").read_text()
    for variable, value in VALUES.items():
        assert f"${{{variable}:?" in overlay
        assert value not in overlay


def test_compose_reads_the_secrets_from_the_env_file(repo: Path, tmp_path: Path) -> None:
    env_file = repo / "app" / ".env"
    env_file.write_text("".join(f"{k}='{v}'\n" for k, v in VALUES.items()))
    try:
        code, out, err = _config(repo, tmp_path)
    finally:
        env_file.unlink()
    assert code == 0, err
    env = json.loads(out)["services"]["api"]["environment"]
    assert env["OTEL_EXPORTER_OTLP_HEADERS"] == VALUES["OBSC_SECRET_HONEYCOMB__OTLP_HEADERS"]
    assert (
        env["OTEL_EXPORTER_OTLP_TRACES_HEADERS"] == VALUES["OBSC_SECRET_HONEYCOMB__TRACES_HEADERS"]
    )
    assert env["DB_PASSWORD"] == VALUES["OBSC_SECRET_APP_DB__PASSWORD"]
    assert env["OTEL_SERVICE_NAME"] == "api"
    collector = json.loads(out)["services"]["otel-collector"]["environment"]
    assert collector == {"OBSC_SECRET_LEAKED__API_KEY": VALUES["OBSC_SECRET_LEAKED__API_KEY"]}


def test_compose_refuses_to_start_without_the_secret(repo: Path, tmp_path: Path) -> None:
    code, _, err = _config(repo, tmp_path)
    assert code != 0
    assert "OBSC_SECRET_HONEYCOMB__OTLP_HEADERS" in err
    assert "secret honeycomb, key otlp-headers" in err


def test_secret_variables_are_distinct_per_name_and_key() -> None:
    refs = [
        SecretRef(name="honeycomb", key="otlp-headers"),
        SecretRef(name="honeycomb-otlp", key="headers"),
        SecretRef(name="honeycomb", key="otlp.headers2"),
    ]
    assert [r.variable for r in refs] == [
        "OBSC_SECRET_HONEYCOMB__OTLP_HEADERS",
        "OBSC_SECRET_HONEYCOMB_OTLP__HEADERS",
        "OBSC_SECRET_HONEYCOMB__OTLP_HEADERS2",
    ]
