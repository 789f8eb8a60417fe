"""The CLI contract: help texts, exit codes, JSON output, internal errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ObscRunner

COMMANDS = [
    "init",
    "validate",
    "render",
    "diff",
    "explain",
    "detect",
    "rollback",
    "schema",
    "verify",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(obsc: ObscRunner, command: str) -> None:
    result = obsc(command, "--help")
    assert result.code == 0
    assert f"Usage: obsc {command}" in result.out
    assert len(result.out.splitlines()) > 5


def test_top_level_help_lists_commands_and_exit_codes(obsc: ObscRunner) -> None:
    result = obsc("--help")
    assert result.code == 0
    for command in COMMANDS:
        assert command in result.out
    assert "Exit codes" in result.out


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from compiler.cli.main import cli\n"
        "heavy = [m for m in ('pydantic', 'ruamel.yaml', 'jinja2', 'git', 'deepdiff', 're2')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_diff_of_an_unchanged_repository_does_not_import_deepdiff(example_repo: Path) -> None:
    """It describes changes only: an unchanged repository (known from the cache) has none."""
    code = (
        "import sys\n"
        "from compiler.cli.main import main\n"
        "try:\n"
        f"    main(['--repo', {str(example_repo)!r}, '-q', 'diff'])\n"
        "except SystemExit as done:\n"
        "    print(done.code, 'deepdiff' in sys.modules)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        for _ in range(2)  # the first fills the cache (and renders, importing meanwhile)
    ]
    assert runs[1].stdout.strip() == "0 False", runs[1].stderr


def test_a_check_of_an_unchanged_repository_loads_no_model(example_repo: Path) -> None:
    """Recognised from the cache alone: pydantic, the specs' models and cue stay unloaded."""
    heavy = ("pydantic", "compiler.model", "compiler.policies.check", "compiler.render.engine")
    code = (
        "import sys\n"
        "from compiler.cli.main import main\n"
        "try:\n"
        f"    main(['--repo', {str(example_repo)!r}, '-q', 'render', '--check', '--no-policies'])\n"
        "except SystemExit as done:\n"
        f"    print(done.code, [m for m in {heavy!r} if m in sys.modules])\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        for _ in range(2)  # the first fills the cache
    ]
    assert runs[1].stdout.strip() == "0 []", runs[1].stderr


def test_usage_errors_exit_two(obsc: ObscRunner, minimal_repo: Path) -> None:
    assert obsc("render", "--no-such-flag").code == 2
    assert obsc("--repo", minimal_repo / "nowhere", "validate").code == 2
    result = obsc("--repo", minimal_repo, "render", "--env", "prd")
    assert result.code == 2 and "did you mean 'prod'" in result.err
    result = obsc("--repo", minimal_repo, "render", "--target", "modle")
    assert result.code == 2 and "did you mean 'model'" in result.err
    assert not (minimal_repo / "rendered").exists()


def test_validate_json_output(obsc: ObscRunner, minimal_repo: Path) -> None:
    result = obsc("--repo", minimal_repo, "--output", "json", "validate")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["ok"] is True
    assert data["environments"]["prod"]["services"] == 1


def test_errors_in_json_mode(obsc: ObscRunner, minimal_repo: Path) -> None:
    (minimal_repo / "specs" / "project.yaml").unlink()
    result = obsc("--repo", minimal_repo, "-o", "json", "validate")
    assert result.code == 2
    data = json.loads(result.out)
    assert data["exitCode"] == 2
    assert data["diagnostics"][0]["code"] == "OBSC300"


def test_partial_render_keeps_other_environments(obsc: ObscRunner, minimal_repo: Path) -> None:
    assert obsc("--repo", minimal_repo, "render").code == 0
    dev = minimal_repo / "rendered" / "dev" / "model" / "model.json"
    prod = minimal_repo / "rendered" / "prod" / "model" / "model.json"
    prod_before = prod.read_bytes()
    service = minimal_repo / "specs" / "services" / "api.yaml"
    service.write_text(service.read_text().replace("sampling: 0.5", "sampling: 0.3"))
    result = obsc("--repo", minimal_repo, "render", "--env", "dev")
    assert result.code == 0, result.err
    assert b'"sampling": 0.3' in dev.read_bytes()
    assert prod.read_bytes() == prod_before
    assert obsc("--repo", minimal_repo, "render", "--check", "--env", "prod").code == 0
    assert obsc("--repo", minimal_repo, "render", "--check").code == 0


def test_internal_error_exits_70_without_traceback(
    obsc: ObscRunner, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import targets
    from compiler.render.contract import Target

    def broken(_model: object) -> dict[str, bytes]:
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(targets.TARGETS, "model", Target("model", "broken", broken))
    result = obsc("--repo", minimal_repo, "render")
    assert result.code == 70
    assert "internal error" in result.err and "Traceback" not in result.err
    assert "target 'model' failed for environment 'dev'" in result.err
    assert not (minimal_repo / "rendered").exists()
    debug = obsc("--repo", minimal_repo, "--debug", "render")
    assert debug.code == 70 and "Traceback" in debug.err
