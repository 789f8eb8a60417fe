"""Time the policy check and the render with and without it, on generated estates.

    python -m bench.policies [--sizes 1000 10000] [--pairs 3] [--out bench/results/policies.json]

Per size, on the bench estate (`bench.generate --heavy`; `--light`: without) made to pass the
default policy pack (PagerDuty receivers for pages, tier-1 objectives of at least 99.9) with
that pack in policies/:

- `render_with_policies` / `render_no_policies`: a full `obsc render` in a fresh process
  into an empty rendered/ with an empty cache directory, with and without `--no-policies`,
  in alternating order (with first, then without first, ...): the machine is shared, so
  each pair sees about the same load, and the figures are medians of the pairs.
  `policy_overhead` is the median over the pairs of (with / without - 1), of wall time;
  `policy_overhead_cpu` the same of the CPU time of the whole process tree (the render's
  workers and cue included), which other users of the machine do not inflate.
- `check_cold`: the policy check alone (compiler.policies.check_policies, in this process,
  estate already loaded), empty cache; `check_cached`: the same again, nothing changed;
  `check_one_change`: after one service's SLO objective changed (the estate is loaded
  again, only the check is timed), alternating between two objectives.
- `check_whole_model`: the check as before issue 20 (one `cue vet` per environment over the
  whole model, no cache), for comparison.

Each check also reports its CPU time (`cpu_seconds_median`: this process and its children;
`children_cpu_seconds_median`: the cue processes), which the machine's load
does not inflate as it does wall time. Needs cue (OBSC_CUE or the tool
cache).
"""

from __future__ import annotations

import argparse
import inspect
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from unittest import mock

import compiler.cli.main  # provides the target registry, as the CLI does
import compiler.policies
from bench.cpu import cpu_seconds
from bench.generate import TEAMS, generate
from bench.report import timings, write_report
from compiler.errors import PolicyError
from compiler.pipeline import Estate, load_estate
from compiler.policies.classify import Classification

DEFAULT_PACK = Path(__file__).resolve().parent.parent / "compiler" / "policies" / "default"


def make_policy_clean(repo: Path) -> None:
    """Edit a generated estate so that it passes the default policy pack.

    Pages of each team go to a PagerDuty receiver (tier1-pages-a-pager); a tier-1 service's
    availability objective of 99.5 becomes 99.9 (tier1-availability-slo). Nothing else of
    the generated estate breaks a default rule.
    """
    project = repo / "specs" / "project.yaml"
    text = project.read_text()
    for team in TEAMS:
        chat = f"      - match: {{team: {team}}}\n        receiver: {team}-chat\n"
        page = f"      - match: {{team: {team}, severity: page}}\n        receiver: {team}-pager\n"
        pager = (
            f"      - name: {team}-pager\n        type: pagerduty\n"
            f"        secretRef: {{name: alertmanager-secrets, key: pagerduty-{team}}}\n"
        )
        text = text.replace(chat, page + chat).replace("    routes:\n", pager + "    routes:\n", 1)
    project.write_text(text)
    for path in (repo / "specs" / "services").rglob("*.yaml"):
        documents = path.read_text().split("---\n")
        path.write_text("---\n".join(_tier1_objective(d) for d in documents))


def _tier1_objective(document: str) -> str:
    if "\n  tier: 1\n" not in document:
        return document
    return document.replace(
        "- name: availability\n      objective: 99.5\n",
        "- name: availability\n      objective: 99.9\n",
    )


def _estate(repo: Path, size: int, heavy: bool) -> None:
    if heavy and "heavy" in inspect.signature(generate).parameters:
        generate(repo, services=size, heavy=True)  # type: ignore[call-arg,unused-ignore]
    else:
        generate(repo, services=size)
    make_policy_clean(repo)
    shutil.copytree(DEFAULT_PACK, repo / "policies")


def _check(repo: Path, estate: Estate | None = None) -> tuple[float, float, float]:
    """(wall, CPU of this process and its children, of the children) seconds of the check.

    The children are the cue processes (the export runs in this process); the estate
    must pass the pack. `estate`: the estate already loaded (else it is loaded first).
    """
    estate = estate or load_estate(repo)
    own, children = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        compiler.policies.check_policies(
            repo, estate.resolved, estate.service_documents, estate.project_document
        )
    except PolicyError as failure:
        raise RuntimeError(f"the bench estate breaks a policy: {failure.diagnostics[0]}") from None
    wall = time.perf_counter() - started
    spent = cpu_seconds(resource.RUSAGE_CHILDREN) - children
    return wall, cpu_seconds(resource.RUSAGE_SELF) - own + spent, spent


def _whole_model() -> AbstractContextManager[object]:
    """The check as before: every file whole-model, so one cue vet per environment."""
    return mock.patch(
        "compiler.policies.classify", lambda text: Classification(False, "bench: whole model")
    )


def _change_one(repo: Path, turn: int) -> None:
    """Flip one tier-2 service's availability objective between 99.9 and 99.95."""
    path = sorted((repo / "specs" / "services").rglob("*.yaml"))[0]
    text = path.read_text()
    old, new = ("99.9", "99.95") if turn % 2 == 0 else ("99.95", "99.9")
    pattern = rf"(- name: availability\n      objective: ){re.escape(old)}\n"
    changed = re.sub(pattern, rf"\g<1>{new}\n", text, count=1)
    assert changed != text, "no objective to change"
    path.write_text(changed)


def _summary(samples: list[tuple[float, float, float]]) -> dict[str, Any]:
    return {
        **timings([wall for wall, _, _ in samples]),
        "cpu_seconds_median": round(statistics.median(cpu for _, cpu, _ in samples), 3),
        "children_cpu_seconds_median": round(statistics.median(c for _, _, c in samples), 3),
    }


def _render(args: list[str], repo: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the whole process tree) of one `obsc` run."""
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "compiler.cli", "--repo", str(repo), "-q", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)  # usage includes the workers it waited for
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        err = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"obsc {' '.join(args)} failed: {err}")
    return wall, usage.ru_utime + usage.ru_stime


def _overhead(with_: list[float], without: list[float]) -> float:
    """Median over the pairs of with / without - 1."""
    return round(statistics.median(w / n - 1 for w, n in zip(with_, without, strict=True)), 3)


def _renders(repo: Path, cache: Path, pairs: int) -> dict[str, Any]:
    """Full renders with and without policies, in alternating pairs."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "OBSC_CACHE_DIR": str(cache)}
    renders: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    load: list[float] = []
    for pair in range(pairs):
        for policies in (True, False) if pair % 2 == 0 else (False, True):
            shutil.rmtree(repo / "rendered", ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            args = ["render"] if policies else ["render", "--no-policies"]
            load.append(round(os.getloadavg()[0], 1))
            renders[policies].append(_render(args, repo, env))
    result: dict[str, Any] = {}
    for policies, name in ((True, "render_with_policies"), (False, "render_no_policies")):
        result[name] = {
            **timings([wall for wall, _ in renders[policies]]),
            "cpu_seconds_all": [round(cpu, 3) for _, cpu in renders[policies]],
        }
    walls = {p: [wall for wall, _ in renders[p]] for p in renders}
    cpus = {p: [cpu for _, cpu in renders[p]] for p in renders}
    result["policy_overhead"] = _overhead(walls[True], walls[False])
    result["policy_overhead_cpu"] = _overhead(cpus[True], cpus[False])
    result["load_average_before_each_render"] = load
    return result


def measure_size(
    size: int, pairs: int, whole: bool, heavy: bool, renders_too: bool = True
) -> dict[str, Any]:
    """Every figure for one estate size."""
    result: dict[str, Any] = {"services": size, "environments": 2, "heavy": heavy}
    with tempfile.TemporaryDirectory() as scratch:
        repo, cache = Path(scratch) / "estate", Path(scratch) / "cache"
        _estate(repo, size, heavy)
        if renders_too:
            result.update(_renders(repo, cache, pairs))
        os.environ["OBSC_CACHE_DIR"] = str(cache)
        shutil.rmtree(cache, ignore_errors=True)
        loaded = load_estate(repo)
        result["check_cold"] = _summary([_check(repo, loaded)])
        result["check_cached"] = _summary([_check(repo, loaded) for _ in range(pairs)])
        changes = []
        for turn in range(pairs):
            _change_one(repo, turn)
            changes.append(_check(repo))
        result["check_one_change"] = _summary(changes)
        if whole:
            with _whole_model():
                result["check_whole_model"] = _summary([_check(repo, load_estate(repo))])
    return result


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--no-whole", action="store_true", help="skip the whole-model check")
    parser.add_argument("--light", action="store_true", help="the light estate, not --heavy")
    parser.add_argument("--checks-only", action="store_true", help="no renders")
    parser.add_argument("--out", type=Path, default=Path("bench/results/policies.json"))
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        results.append(
            measure_size(size, args.pairs, not args.no_whole, not args.light, not args.checks_only)
        )
        print(results[-1], flush=True)
    load: Callable[[], tuple[float, float, float]] = os.getloadavg
    write_report(
        args.out,
        "policies: render with and without the default pack, and the check itself",
        {
            "pairs": args.pairs,
            "load_average_at_end": [round(x, 1) for x in load()],
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
