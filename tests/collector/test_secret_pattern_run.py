"""A custom redaction pattern given by `secretRef`, in the real collector.

The secret-refs estate's policy redacts a leaked key by reference: the rendered config
reads it as `${env:OBSC_SECRET_LEAKED__API_KEY}` and matches it literally (`\\Q...\\E`).
With the variable set, `otelcol validate` accepts the config and a running collector masks
the key (regex metacharacters and all) in log bodies, attributes and span status messages,
while a string the key would match as a regex passes untouched. Unset, the config still
loads and masks nothing (the empty regex would garble every string). The key's value is
never in rendered/.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.collector.collector_run import (
    Ports,
    attr,
    post_otlp,
    read_lines,
    render_for_run,
    resource,
    running_collector,
    wait_for,
)
from tests.conftest import FIXTURES
from tests.realtools import require_tool

VARIABLE = "OBSC_SECRET_LEAKED__API_KEY"
SECRET = "lk_live+Q9.x/Zr==w(7)"  # regex metacharacters: + . / ( ) would change a regex
LOOK_ALIKE = "lk_liveeeQ9Ax/Zr==w7"  # what SECRET matches as a regex, not literally
NANOS = "1700000000000000000"


def _render(base: Path, ports: Ports) -> Path:
    repo = base / "repo"
    shutil.copytree(FIXTURES / "secret-refs", repo)
    out = base / "exported"
    out.mkdir()
    # container logs from a folder of their own: `{base}/*.log` would take in collector.log,
    # the collector's own log, which it then fails to parse as a container log (and says so)
    return render_for_run(repo, base, ports, out, f"{base}/containers/*.log")


def _send_and_read(binary: Path, base: Path, ports: Ports, config: Path) -> list[str]:
    """Every string the collector exported for one log record and one span with the key."""
    line = f"auth failed for key {SECRET}; also {LOOK_ALIKE}"
    with running_collector(binary, config, ports, base / "collector.log"):
        post_otlp(
            ports,
            "logs",
            {
                "resourceLogs": [
                    {
                        "resource": resource("api"),
                        "scopeLogs": [
                            {
                                "logRecords": [
                                    {
                                        "timeUnixNano": NANOS,
                                        "body": {"stringValue": line},
                                        "attributes": [attr("note", line)],
                                    }
                                ]
                            }
                        ],
                    }
                ]
            },
        )
        span = {
            "traceId": "a" * 32,
            "spanId": "b" * 16,
            "name": "login",
            "kind": 2,
            "startTimeUnixNano": NANOS,
            "endTimeUnixNano": NANOS,
            "attributes": [attr("note", line)],
            "status": {"code": 2, "message": line},
        }
        post_otlp(
            ports,
            "traces",
            {"resourceSpans": [{"resource": resource("api"), "scopeSpans": [{"spans": [span]}]}]},
        )
        out = base / "exported"
        wait_for(
            lambda: bool(read_lines(out / "logs.json")) and bool(read_lines(out / "traces.json"))
        )
    exported = read_lines(out / "logs.json") + read_lines(out / "traces.json")
    return [s for s in _strings(exported) if "auth failed" in s]


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def test_the_collector_redacts_a_secret_it_reads_from_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = require_tool("otelcol-obsc")
    ports = Ports.pick()
    config = _render(tmp_path, ports)
    assert f"${{env:{VARIABLE}}}" in config.read_text()
    monkeypatch.setenv(VARIABLE, SECRET)
    validated = subprocess.run(
        [str(binary), "validate", f"--config=file:{config}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert validated.returncode == 0, validated.stderr
    strings = _send_and_read(binary, tmp_path, ports, config)
    assert len(strings) == 4  # log body and attribute, span attribute and status message
    for text in strings:
        assert text == f"auth failed for key [REDACTED]; also {LOOK_ALIKE}"
    assert _problems(tmp_path / "collector.log") == []
    rendered = [p for p in (tmp_path / "rendered").rglob("*") if p.is_file()]
    assert rendered and not [p for p in rendered if SECRET in p.read_text()]


def _problems(log: Path) -> list[str]:
    """OTTL errors are ignored per record (error_mode: ignore) but logged: there must be none."""
    return [
        line for line in log.read_text().splitlines() if "\twarn\t" in line or "\terror\t" in line
    ]


def test_an_unset_secret_masks_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = require_tool("otelcol-obsc")
    ports = Ports.pick()
    config = _render(tmp_path, ports)
    monkeypatch.delenv(VARIABLE, raising=False)
    strings = _send_and_read(binary, tmp_path, ports, config)
    assert len(strings) == 4
    for text in strings:
        assert text == f"auth failed for key {SECRET}; also {LOOK_ALIKE}"
