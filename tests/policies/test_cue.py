"""How cue is run: Go's collector settings, unless the user chose their own."""

from __future__ import annotations

import pytest

from compiler.policies.cue import go_collector


def test_cue_runs_without_go_collections_below_a_memory_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    settings = go_collector()
    assert settings["GOGC"] == "off"
    assert int(settings["GOMEMLIMIT"]) > 100 * 2**20


@pytest.mark.parametrize("variable", ["GOGC", "GOMEMLIMIT"])
def test_the_users_go_collector_settings_win(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "200")
    assert go_collector() == {}
