"""Golden pairs: each fixture estate a test renders, and the tree it must render to.

`PAIRS` is the table (as Sloth's `in-*.yaml` → `out-*.yaml`): the estate under
tests/fixtures/ and the environments and targets rendered from it, whose committed output is
`tests/golden/<name>/rendered/`. Both sides go through the public `obsc` CLI only: the
actual tree is what `obsc render --out` writes, and a mismatch is explained by `obsc diff`
run against the expected tree, so a failure reads like a reviewer's diff, not a byte dump.

Refresh after an intended change with `python -m tests.golden --refresh` and review the
result as a git diff (see tests/golden/README.md).
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from compiler.cli.main import main
from tests.conftest import FIXTURES, tree_bytes

GOLDEN: Final = Path(__file__).resolve().parent
REFRESH: Final = ".venv/bin/python -m tests.golden --refresh"
MANIFEST: Final = "manifest.json"
MANIFEST_ONLY: Final = (
    "Only manifest.json: its inputDigest covers the specs, the whole built-in framework "
    "database and obsc's version, so an edit there changes it without changing any output."
)


@dataclass(frozen=True, slots=True)
class Pair:
    """One estate under tests/fixtures/ and what of it is rendered into its golden tree."""

    name: str
    fixture: str
    environments: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()

    @property
    def estate(self) -> Path:
        """The config repository (specs/ and whatever else it holds) under tests/fixtures/."""
        return FIXTURES / self.fixture

    @property
    def expected(self) -> Path:
        """The committed tree: exactly what `obsc render --out` writes for this pair."""
        return GOLDEN / self.name / "rendered"

    @property
    def selection(self) -> list[str]:
        """The `--env`/`--target` options of both the render and the explaining diff."""
        return [
            *(f"--env={env}" for env in self.environments),
            *(f"--target={target}" for target in self.targets),
        ]


# Everything each estate renders, except flux: its point is the Helm chart and the Flux
# manifests, and its other targets (0.8 MB more) repeat what the other estates already pin.
PAIRS: Final = (
    Pair("compliant", "compliant"),
    Pair("compose", "compose/estate"),
    Pair("flux", "flux", targets=("gitops", "helm")),
    Pair("minimal", "minimal"),
    Pair("redaction", "redaction"),
    Pair("secret-refs", "secret-refs"),
    Pair("verify", "verify"),
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Exit code and output of one in-process `obsc` run."""

    code: int
    out: str
    err: str


def obsc(*args: str | Path) -> Outcome:
    """Run `obsc ARGS...` in this process through its real entry point."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return Outcome(code, out.getvalue(), err.getvalue())


def render(pair: Pair, work: Path) -> dict[str, bytes]:
    """The tree `obsc render --out` writes for `pair` (a copy of the estate, in `work`)."""
    repo = work / "repo"
    shutil.copytree(pair.estate, repo)
    out = work / "out"
    done = obsc("--repo", repo, "--quiet", "render", "--out", out, *pair.selection)
    if done.code != 0:
        raise RuntimeError(f"obsc render of {pair.estate} exited {done.code}:\n{done.err}")
    return tree_bytes(out)


def explain(pair: Pair, expected: dict[str, bytes], actual: dict[str, bytes], work: Path) -> str:
    """Why `actual` is not `expected`: `obsc diff` against the expected tree, then bytes.

    `obsc diff` compares by meaning and leaves out manifest.json, so files whose bytes
    differ without a change of meaning (key order, quoting, the manifest) are listed after.
    """
    repo = work / "explain"
    shutil.copytree(pair.estate, repo)
    _write_tree(expected, repo / "rendered")
    semantic = obsc("--repo", repo, "diff", *pair.selection)
    paths = [p for p in sorted(set(expected) | set(actual)) if expected.get(p) != actual.get(p)]
    lines = [
        f"tests/golden/{pair.name}/rendered/ is not what tests/fixtures/{pair.fixture} renders to.",
        f"If the change is intended: {REFRESH} {pair.name}  (and review `git diff tests/golden`)",
        "",
        f"obsc diff (exit {semantic.code}), expected -> actual:",
        semantic.out.rstrip() or semantic.err.rstrip(),
        "",
        "files whose bytes differ:",
        *(f"  {_how(expected.get(p), actual.get(p))}: {p}" for p in paths),
    ]
    if paths == [MANIFEST]:
        lines.append(MANIFEST_ONLY)
    return "\n".join(lines)


def _how(expected: bytes | None, actual: bytes | None) -> str:
    if expected is None:
        return "not expected"
    return "missing" if actual is None else "changed"


def refresh(pair: Pair, work: Path) -> bool:
    """Render `pair` and replace its committed tree; whether anything changed."""
    actual = render(pair, work)
    if tree_bytes(pair.expected) == actual:
        return False
    shutil.rmtree(pair.expected, ignore_errors=True)
    _write_tree(actual, pair.expected)
    return True


def _write_tree(files: dict[str, bytes], root: Path) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
