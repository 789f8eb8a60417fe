"""The lazy target registry: names and what each target packages without importing any."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from compiler.render.contract import LazyRegistry, Listed, Target, consumes_of
from targets import TARGETS


def test_every_listed_target_is_its_package_target() -> None:
    for name in TARGETS:
        target = TARGETS[name]  # raises when the listing and the package disagree
        assert target.name == name
        assert consumes_of(TARGETS, name) == target.consumes


def test_a_listing_that_disagrees_with_its_package_is_refused() -> None:
    wrong = LazyRegistry([Listed("helm", "targets.helm", ("alerts",))])
    assert wrong.consumes("helm") == ("alerts",)
    with pytest.raises(RuntimeError, match=r"targets\.helm\.TARGET is 'helm'"):
        wrong["helm"]


def test_a_replaced_target_is_the_one_looked_up() -> None:
    registry = LazyRegistry([Listed("model", "targets.model")])
    replacement = Target("model", "a stand-in", lambda _model: {})
    registry["model"] = replacement
    assert registry["model"] is replacement
    del registry["model"]
    assert "model" not in registry and list(registry) == []


def test_rendering_one_target_imports_that_target_alone(minimal_repo: Path) -> None:
    code = (
        "import sys\n"
        "from compiler.cli.main import main\n"
        "try:\n"
        f"    main(['--repo', {str(minimal_repo)!r}, '-q', 'render', '--target', 'model',"
        " '--no-policies'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('targets.')"
        " and m.count('.') == 1)))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "targets.model"
    assert (minimal_repo / "rendered" / "prod" / "model" / "model.json").is_file()
