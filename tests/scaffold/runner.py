"""Run the steps of a GitHub workflow job or composite action as a hosted runner would.

Each `run:` step is written to a file and run with the runner's own command line for
`shell: bash` (`bash --noprofile --norc -eo pipefail FILE`), in the workspace, with the
workflow's, job's and step's `env`, `$GITHUB_PATH`, `$GITHUB_OUTPUT` and the `GITHUB_*`
variables. A `uses:` step is replaced by what the action does on a runner:
`actions/checkout` clones the origin at the pull request's head with all history;
`actions/setup-python` puts a fresh virtual environment of that Python first on PATH;
`actions/setup-go` puts a `go` first on PATH that answers `go env GOPATH` and installs the
pinned cue by copying the binary scripts/install-tools.sh built from the same module
(building cue again here would take minutes of the shared machine, and the Go module proxy
is the part this test cannot reach); `actions/github-script` runs the script under node
with a recording `github` client; `actions/upload-artifact` copies `path` to
`<runner home>/artifacts/<name>/` and answers its `artifact-url` output (`${{ steps.ID.
outputs.NAME }}`). Anything else is refused, so a new step must be taught.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_EXPRESSION = re.compile(r"\$\{\{\s*([a-z_.-]+)\s*\}\}")

_GITHUB_SCRIPT_HARNESS = r"""
const fs = require('fs');
const calls = [];
const existing = JSON.parse(process.env.HARNESS_COMMENTS);
const github = {
  paginate: async (method, args) => { calls.push(['list', args]); return existing; },
  rest: { issues: {
    listComments: 'listComments',
    updateComment: async (args) => { calls.push(['update', args]); },
    createComment: async (args) => { calls.push(['create', args]); },
  } },
};
const context = { repo: { owner: 'acme', repo: 'config' }, issue: { number: 7 } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const script = fs.readFileSync(process.env.HARNESS_SCRIPT, 'utf8');
new AsyncFunction('require', 'github', 'context', script)(require, github, context)
  .then(() => fs.writeFileSync(process.env.HARNESS_CALLS, JSON.stringify(calls)))
  .catch((error) => { console.error(error); process.exit(1); });
"""


@dataclass(frozen=True)
class Runner:
    """The machine: where things are and the tools the `uses:` steps stand in for."""

    home: Path
    origin: Path
    head_ref: str
    base_ref: str
    python: Path
    cue: Path
    cue_version: str
    comments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class StepResult:
    """One step: its name, exit code and output; the comment calls of a github-script step."""

    name: str
    code: int
    output: str
    calls: list[Any] = field(default_factory=list)


@dataclass
class Job:
    """The state a job carries between steps."""

    runner: Runner
    workspace: Path
    env: dict[str, str]
    inputs: dict[str, str]
    results: list[StepResult] = field(default_factory=list)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # step id -> outputs

    @property
    def github_path(self) -> Path:
        return self.runner.home / "github_path"


def start_job(runner: Runner, env: Mapping[str, str], inputs: Mapping[str, str]) -> Job:
    """A fresh job: a clean HOME, a PATH of system tools (no obsc, no cue), the GITHUB_* set."""
    workspace = runner.home / "work" / "config"
    workspace.parent.mkdir(parents=True)
    base = {
        "HOME": str(runner.home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_BASE_REF": runner.base_ref,
        "GITHUB_HEAD_REF": runner.head_ref,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_PATH": str(runner.home / "github_path"),
        "GITHUB_OUTPUT": str(runner.home / "github_output"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    for proxy in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy"):
        if proxy in os.environ:
            base[proxy] = os.environ[proxy]
    job = Job(runner, workspace, {**base, **env}, dict(inputs))
    job.github_path.touch()
    (runner.home / "github_output").touch()
    return job


def expand(job: Job, text: str) -> str:
    """`${{ inputs.x }}`, `${{ github.x }}` and `${{ env.x }}` as the runner evaluates them."""

    def value(match: re.Match[str]) -> str:
        scope, _, name = match.group(1).partition(".")
        if scope == "inputs":
            return expand(job, job.inputs[name])
        if scope == "github":
            known = {"base_ref": job.runner.base_ref, "event_name": "pull_request", "token": "t"}
            return known[name]
        if scope == "env":
            return job.env[name]
        if scope == "steps":
            step, _, output = name.partition(".outputs.")
            return job.outputs[step][output]
        raise AssertionError(f"expression the harness does not know: {match.group(0)}")

    return _EXPRESSION.sub(value, text)


def condition_holds(job: Job, condition: str) -> bool:
    """An `if:` made of `a == 'b'` comparisons joined by `&&` (all the steps here use)."""
    for clause in condition.split("&&"):
        left, _, right = (part.strip() for part in clause.partition("=="))
        actual = expand(job, "${{ " + left + " }}")
        assert right.startswith("'") and right.endswith("'"), clause
        if actual != right[1:-1]:
            return False
    return True


def run_steps(job: Job, steps: list[dict[str, Any]], action_path: Path | None = None) -> None:
    """Run `steps` in order until one fails, as the runner does."""
    for index, step in enumerate(steps):
        if "if" in step and not condition_holds(job, str(step["if"])):
            continue
        name = str(step.get("name", step.get("uses", f"step {index}")))
        result = _run(job, step, name, action_path) if "run" in step else _uses(job, step, name)
        job.results.append(result)
        if result.code != 0:
            return
        for line in job.github_path.read_text().splitlines():
            if line and line not in job.env["PATH"].split(":"):
                job.env["PATH"] = f"{line}:{job.env['PATH']}"


def _step_env(job: Job, step: Mapping[str, Any]) -> dict[str, str]:
    return {**job.env, **{k: expand(job, str(v)) for k, v in step.get("env", {}).items()}}


def _run(job: Job, step: Mapping[str, Any], name: str, action_path: Path | None) -> StepResult:
    shell = step.get("shell", "bash")
    assert shell == "bash", f"{name}: only bash steps are run here, not {shell}"
    script = job.runner.home / "step.sh"
    script.write_text(expand(job, str(step["run"])))
    env = _step_env(job, step)
    if action_path is not None:
        env["GITHUB_ACTION_PATH"] = str(action_path)
    cwd = job.workspace / expand(job, str(step.get("working-directory", ".")))
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return StepResult(name, done.returncode, done.stdout + done.stderr)


def _uses(job: Job, step: Mapping[str, Any], name: str) -> StepResult:
    action = str(step["uses"]).split("@", 1)[0]
    with_ = {k: expand(job, str(v)) for k, v in step.get("with", {}).items()}
    if action == "actions/checkout":
        return _command(
            name,
            [
                "git",
                "clone",
                "-q",
                "-b",
                job.runner.head_ref,
                str(job.runner.origin),
                str(job.workspace),
            ],
            job.env,
        )
    if action == "actions/setup-python":
        return _setup_python(job, name, with_)
    if action == "actions/setup-go":
        return _setup_go(job, name)
    if action == "actions/github-script":
        return _github_script(job, step, name, with_)
    if action == "actions/upload-artifact":
        return _upload_artifact(job, step, name, with_)
    raise AssertionError(f"{name}: the harness does not know {action}")


def _command(name: str, argv: list[str], env: Mapping[str, str]) -> StepResult:
    done = subprocess.run(argv, env=dict(env), capture_output=True, text=True, check=False)
    return StepResult(name, done.returncode, done.stdout + done.stderr)


def _setup_python(job: Job, name: str, with_: Mapping[str, str]) -> StepResult:
    version = with_["python-version"]
    assert job.runner.python.name == f"python{version}", (job.runner.python, version)
    venv = job.runner.home / "hostedtoolcache" / "python"
    result = _command(name, [str(job.runner.python), "-m", "venv", str(venv)], job.env)
    job.env["PATH"] = f"{venv / 'bin'}:{job.env['PATH']}"
    return result


def _setup_go(job: Job, name: str) -> StepResult:
    bin_dir = job.runner.home / "go-shim"
    bin_dir.mkdir(exist_ok=True)
    gopath = job.runner.home / "go"
    shim = bin_dir / "go"
    shim.write_text(
        "#!/bin/sh\n"
        f'if [ "$*" = "env GOPATH" ]; then echo "{gopath}"; exit 0; fi\n'
        f'if [ "$*" = "install cuelang.org/go/cmd/cue@{job.runner.cue_version}" ]; then\n'
        f'  mkdir -p "{gopath}/bin" && cp "{job.runner.cue}" "{gopath}/bin/cue"; exit $?\n'
        "fi\n"
        'echo "go shim: not what setup-go + the module proxy are stood in for: $*" >&2\n'
        "exit 1\n"
    )
    shim.chmod(0o755)
    job.env["PATH"] = f"{bin_dir}:{job.env['PATH']}"
    return StepResult(name, 0, "")


def _upload_artifact(
    job: Job, step: Mapping[str, Any], name: str, with_: Mapping[str, str]
) -> StepResult:
    source = job.workspace / with_["path"]
    if not source.exists():
        return StepResult(name, 1, f"no files were found with the provided path: {source}")
    stored = job.runner.home / "artifacts" / with_["name"]
    if source.is_dir():
        shutil.copytree(source, stored)
    else:
        stored.mkdir(parents=True)
        shutil.copy2(source, stored)
    number = len(list(stored.parent.iterdir()))
    url = f"https://github.com/acme/config/actions/runs/1/artifacts/{number}"
    job.outputs[str(step.get("id", name))] = {"artifact-id": str(number), "artifact-url": url}
    return StepResult(name, 0, f"Artifact {with_['name']} uploaded: {url}")


def _github_script(
    job: Job, step: Mapping[str, Any], name: str, with_: Mapping[str, str]
) -> StepResult:
    node = shutil.which("node")
    assert node is not None, "node runs actions/github-script"
    home = job.runner.home
    (home / "script.js").write_text(with_["script"])
    (home / "harness.js").write_text(_GITHUB_SCRIPT_HARNESS)
    env = {
        **_step_env(job, step),
        "HARNESS_SCRIPT": str(home / "script.js"),
        "HARNESS_CALLS": str(home / "calls.json"),
        "HARNESS_COMMENTS": json.dumps(job.runner.comments),
    }
    done = subprocess.run(
        [node, str(home / "harness.js")],
        cwd=job.workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    calls = json.loads((home / "calls.json").read_text()) if done.returncode == 0 else []
    return StepResult(name, done.returncode, done.stdout + done.stderr, calls)
