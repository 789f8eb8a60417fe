"""Time the commands users run on every push, on generated estates of 100 to 10,000 services.

    python -m bench.render [--sizes 100 1000 10000] [--runs 3] [--out bench/results/render.json]

Per size, each in a fresh `obsc` process (wall time and peak RSS of that process):

- `full`: `obsc render` into an empty rendered/ with an empty render cache;
- `check`: `obsc render --check` on the unchanged estate (rendered/ and cache current);
- `diff_unchanged`: `obsc diff` on the unchanged estate;
- `diff_one_slo`: `obsc diff` after one SLO objective changed (a real render);
- `help`: `obsc --help` (start-up).

Before each timed process the file system is synced, so that writing back what the previous
run wrote is not billed to this one (on the small virtual disks of CI runners that writeback
made the same full render vary by a factor of two). Memory is reported twice: `peak_rss_mib`,
the largest resident set of any one process of a timed run (the obsc process or one of the
workers it forks), and `full.peak_tree_pss_mib`, the largest proportional set size of the
whole process tree during one more full render, sampled every 0.2 s and not timed (reading
/proc takes CPU): the memory a render really occupies (summing the RSS of forked workers
would count every page they share with their parent twice).

Renders run with `--no-policies`: the generated estates are not written to pass the default
policy pack, and `python -m bench.policies` times the policy check on its own. Figures are
medians of `--runs` runs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.generate import generate
from bench.report import timings, write_report

OBSC = [sys.executable, "-m", "compiler.cli"]


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:  # noqa: PTH123
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


class TreePss(threading.Thread):
    """Samples the proportional set size of a process and its children until it exits."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            pids = [self.pid, *_children(self.pid)]
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in pids))


def run(
    args: list[str], repo: Path, env: dict[str, str], sample: bool = False
) -> tuple[float, int, int]:
    """(wall seconds, peak RSS MiB, peak tree PSS MiB or 0) of one obsc run; exit 0 or 1 only.

    `sample` measures the process tree's PSS (the wall time is then not a fair figure).
    """
    os.sync()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*OBSC, "--repo", str(repo), "-q", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    sampler = TreePss(proc.pid)
    if sample:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if sample:
        sampler.done.set()
        sampler.join()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise RuntimeError(f"obsc {' '.join(args)} exited {code}: {err}")
    return elapsed, usage.ru_maxrss // 1024, sampler.peak_kib // 1024


def _change_one_objective(repo: Path) -> None:
    service = sorted((repo / "specs" / "services").rglob("*.yaml"))[0]
    text = service.read_text()
    changed = re.sub(
        r"objective: ([0-9.]+)", lambda m: f"objective: {float(m[1]) - 0.05:g}", text, count=1
    )
    assert changed != text
    service.write_text(changed)


def measure_size(size: int, runs: int) -> dict[str, object]:
    """Every measurement for one estate size."""
    result: dict[str, object] = {"services": size}
    with tempfile.TemporaryDirectory() as scratch:
        repo, cache = Path(scratch) / "estate", Path(scratch) / "cache"
        generate(repo, services=size)
        env = {**os.environ, "PYTHONHASHSEED": "0", "OBSC_CACHE_DIR": str(cache)}
        full = []
        for _ in range(runs):
            shutil.rmtree(repo / "rendered", ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            full.append(run(["render", "--no-policies"], repo, env))
        shutil.rmtree(repo / "rendered")
        shutil.rmtree(cache)
        _, _, tree_pss = run(["render", "--no-policies"], repo, env, sample=True)
        check = [run(["render", "--check", "--no-policies"], repo, env) for _ in range(runs)]
        help_ = [run(["--help"], repo, env) for _ in range(runs)]
        same = [run(["diff"], repo, env) for _ in range(runs)]
        _change_one_objective(repo)
        diff = [run(["diff"], repo, env) for _ in range(runs)]
        measured = (
            ("full", full),
            ("check", check),
            ("diff_unchanged", same),
            ("diff_one_slo", diff),
            ("help", help_),
        )
        for name, samples in measured:
            result[name] = {
                **timings([seconds for seconds, _, _ in samples]),
                "peak_rss_mib": max(rss for _, rss, _ in samples),
            }
        result["full"]["peak_tree_pss_mib"] = tree_pss  # type: ignore[index]
        files = sum(1 for p in (repo / "rendered").rglob("*") if p.is_file())
        result["rendered_files"] = files
        full_median = result["full"]["seconds_median"]  # type: ignore[index]
        for name in ("check", "diff_unchanged"):
            share = result[name]["seconds_median"] / full_median  # type: ignore[index]
            result[f"{name}_share_of_full"] = round(share, 3)
    return result


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/render.json"))
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        results.append(measure_size(size, args.runs))
        print(results[-1], flush=True)
    data: dict[str, object] = {"runs": args.runs, "sizes": results}
    full = {r["services"]: r["full"]["seconds_median"] for r in results}  # type: ignore[index]
    if 1000 in full and 10000 in full:
        data["growth_1000_to_10000"] = round(full[10000] / full[1000], 2)
    write_report(args.out, "render", data)


if __name__ == "__main__":
    main()
