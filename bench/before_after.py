"""Time two obsc source trees against each other, alternating runs on the same machine.

    python -m bench.before_after BEFORE_ROOT AFTER_ROOT [--sizes 1000 10000] [--runs 3]
        [--full-runs N] [--out bench/results/engine_before_after.json]

Each root holds the `compiler` and `targets` packages of one version; obsc runs as
`python -m compiler.cli` with that root first on PYTHONPATH, in a fresh process, each
version on its own copy of one generated estate and its own cache directory. Runs alternate
(before, after, before, after, ...) so that load from other work on the machine falls on
both alike; figures are medians of the wall time and of the CPU time of the whole process
tree (obsc and its render workers), with the load average when each measure started.
Measured per size, as in bench.render:

- `full`: `obsc render --no-policies` into an empty rendered/ with an empty cache;
- `check`: `obsc render --check --no-policies` on the unchanged estate;
- `diff_unchanged`: `obsc diff` on the unchanged estate;
- `diff_one_slo`: `obsc diff` after one SLO objective changed (a real render of that
  service, the others recognised as unchanged);
- `render_one_slo`: `obsc render --no-policies` after one SLO objective changed (the
  objective is changed and changed back between runs, so each run renders one change).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import generate
from bench.render import _change_one_objective
from bench.report import write_report

MEASURES = ("full", "check", "diff_unchanged", "diff_one_slo", "render_one_slo")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(root: Path, repo: Path, cache: Path, args: list[str]) -> tuple[float, float]:
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "PYTHONHASHSEED": "0",
        "OBSC_CACHE_DIR": str(cache),
    }
    os.sync()
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "compiler.cli", "--repo", str(repo), "-q", *args],
        env=env,
        cwd=tempfile.gettempdir(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - started
    cpu = _children_cpu() - cpu  # obsc and its workers (a reaped process tree)
    if done.returncode not in (0, 1):
        problem = done.stderr.decode(errors="replace")
        raise RuntimeError(f"{root}: obsc {' '.join(args)} exited {done.returncode}: {problem}")
    return elapsed, cpu


def _first_spec(repo: Path) -> Path:
    """The service file `_change_one_objective` changes."""
    return sorted((repo / "specs" / "services").rglob("*.yaml"))[0]


def measure(roots: dict[str, Path], size: int, runs: int, full_runs: int) -> dict[str, object]:
    """Every measure for one estate size, alternating the versions run by run."""
    samples: dict[str, dict[str, list[float]]] = {v: {m: [] for m in MEASURES} for v in roots}
    cpu: dict[str, dict[str, list[float]]] = {v: {m: [] for m in MEASURES} for v in roots}
    load: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        generate(base / "estate", services=size)
        repos = {v: base / f"estate-{v}" for v in roots}
        caches = {v: base / f"cache-{v}" for v in roots}
        for repo in repos.values():
            shutil.copytree(base / "estate", repo)

        flips: dict[str, list[str]] = {v: [] for v in roots}  # spec texts to flip between

        def each(measure_name: str, args: list[str], before_each: object = None) -> None:
            load[measure_name] = os.getloadavg()[0]
            for run in range(full_runs if before_each == "clean" else runs):
                for version, root in roots.items():
                    if before_each == "clean":
                        shutil.rmtree(repos[version] / "rendered", ignore_errors=True)
                        shutil.rmtree(caches[version], ignore_errors=True)
                    if before_each == "flip" and run > 0:  # the first renders the diff's change
                        spec = _first_spec(repos[version])
                        spec.write_text(flips[version][run % 2])
                    seconds, cpu_seconds = _run(root, repos[version], caches[version], args)
                    samples[version][measure_name].append(seconds)
                    cpu[version][measure_name].append(cpu_seconds)

        each("full", ["render", "--no-policies"], "clean")
        each("check", ["render", "--check", "--no-policies"])
        each("diff_unchanged", ["diff"])
        for version, repo in repos.items():
            original = _first_spec(repo).read_text()
            _change_one_objective(repo)
            flips[version] = [_first_spec(repo).read_text(), original]
        each("diff_one_slo", ["diff"])
        each("render_one_slo", ["render", "--no-policies"], "flip")
    result: dict[str, object] = {"services": size}
    for measure_name in MEASURES:
        entry: dict[str, object] = {"load_average_1m": round(load[measure_name], 2)}
        for version in roots:
            seconds = samples[version][measure_name]
            entry[version] = {
                "seconds_median": round(statistics.median(seconds), 3),
                "seconds_all": [round(s, 3) for s in seconds],
                "cpu_seconds_median": round(statistics.median(cpu[version][measure_name]), 3),
            }
        before = statistics.median(samples["before"][measure_name])
        after = statistics.median(samples["after"][measure_name])
        entry["after_over_before"] = round(after / before, 3)
        result[measure_name] = entry
    return result


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full-runs", type=int, default=None, help="default: --runs")
    parser.add_argument("--out", type=Path, default=Path("bench/results/engine_before_after.json"))
    args = parser.parse_args()
    roots = {"before": args.before.resolve(), "after": args.after.resolve()}
    results = []
    for size in args.sizes:
        results.append(measure(roots, size, args.runs, args.full_runs or args.runs))
        print(results[-1], flush=True)
    write_report(args.out, "before_after", {"runs": args.runs, "sizes": results})


if __name__ == "__main__":
    main()
