"""A build without policies does not import the policy checker, recording or recalling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _imports_policies(repo: Path, *args: str) -> bool:
    code = (
        "import sys\n"
        "from compiler.cli.main import main\n"
        "try:\n"
        f"    main(['--repo', {str(repo)!r}, '-q', *{list(args)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('compiler.policies' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return run.stdout.strip() == "True"


def test_a_render_without_policies_records_and_recalls_without_the_checker(
    minimal_repo: Path,
) -> None:
    assert not _imports_policies(minimal_repo, "render", "--no-policies")  # records
    assert not _imports_policies(minimal_repo, "render", "--check", "--no-policies")  # recalls
