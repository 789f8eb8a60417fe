"""Time intervals: obsc accepts what Alertmanager accepts, refuses what it refuses (amtool)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from compiler.pipeline import load_estate
from compiler.spec.models import TimeIntervalSpec
from targets.alerts.alertmanager import alertmanager_config
from tests.conftest import ROOT
from tests.realtools import Tool

# (spec field, value) -> both sides accept
ACCEPTED: list[tuple[str, Any]] = [
    ("times", [{"startTime": "00:00", "endTime": "24:00"}]),
    ("times", [{"startTime": "09:00", "endTime": "17:30"}]),
    ("weekdays", ["monday:friday", "Sunday"]),
    ("daysOfMonth", ["1:31", "-7:-1", "5:-1", "15"]),
    ("months", ["january:march", "1:3", "December"]),
    ("years", ["2026:2027", "2030"]),
    ("location", "Europe/Berlin"),
    ("location", "UTC"),
    ("location", "Local"),
]
# ... both sides refuse
REFUSED: list[tuple[str, Any]] = [
    ("times", [{"startTime": "17:00", "endTime": "09:00"}]),
    ("times", [{"startTime": "09:00", "endTime": "09:00"}]),
    ("times", [{"startTime": "24:01", "endTime": "24:30"}]),
    ("times", [{"startTime": "9:00", "endTime": "17:00"}]),
    ("weekdays", ["friday:monday"]),
    ("weekdays", ["funday"]),
    ("daysOfMonth", ["0"]),
    ("daysOfMonth", ["-1:5"]),
    ("daysOfMonth", ["20:-10"]),
    ("daysOfMonth", ["32"]),
    ("months", ["march:january"]),
    ("months", ["smarch"]),
    ("years", ["2027:2026"]),
    ("location", "Mars/Olympus_Mons"),
]
_SNAKE = {"daysOfMonth": "days_of_month", "startTime": "start_time", "endTime": "end_time"}


def _snake(value: Any) -> Any:
    if isinstance(value, dict):
        return {_SNAKE.get(k, k): _snake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake(v) for v in value]
    return value


def _amtool_accepts(real_tool: Tool, tmp_path: Path, field: str, value: Any) -> bool:
    config = {
        "route": {
            "receiver": "chat",
            "routes": [{"receiver": "chat", "mute_time_intervals": ["window"]}],
        },
        "receivers": [{"name": "chat"}],
        "time_intervals": [
            {"name": "window", "time_intervals": [{_snake_key(field): _snake(value)}]}
        ],
    }
    path = tmp_path / "alertmanager.yaml"
    path.write_text(json.dumps(config))  # JSON is YAML
    done = subprocess.run(
        [str(real_tool("amtool")), "check-config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0


def _snake_key(field: str) -> str:
    return _SNAKE.get(field, field)


def _obsc_accepts(field: str, value: Any) -> bool:
    try:
        TimeIntervalSpec.model_validate({field: value}, strict=False)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(("field", "value"), ACCEPTED)
def test_what_obsc_accepts_alertmanager_accepts(
    real_tool: Tool, tmp_path: Path, field: str, value: Any
) -> None:
    assert _obsc_accepts(field, value)
    assert _amtool_accepts(real_tool, tmp_path, field, value)


@pytest.mark.parametrize(("field", "value"), REFUSED)
def test_what_obsc_refuses_alertmanager_refuses(
    real_tool: Tool, tmp_path: Path, field: str, value: Any
) -> None:
    assert not _obsc_accepts(field, value)
    assert not _amtool_accepts(real_tool, tmp_path, field, value)


def test_the_example_routes_mute_and_activate_on_named_intervals() -> None:
    config = alertmanager_config(load_estate(ROOT).resolved.environments["prod"])
    names = [t["name"] for t in config["time_intervals"]]
    assert names == ["working-hours", "platform-maintenance"]
    routes = config["route"]["routes"]
    active = [r for r in routes if r.get("active_time_intervals")]
    muted = [r for r in routes if r.get("mute_time_intervals")]
    assert [r["receiver"] for r in active] == ["catalog-chat"]
    assert [r["receiver"] for r in muted] == ["platform-pager", "platform-email"]
    assert config["time_intervals"][0]["time_intervals"] == [
        {
            "times": [{"start_time": "09:00", "end_time": "17:30"}],
            "weekdays": ["monday:friday"],
            "location": "Europe/Berlin",
        }
    ]
