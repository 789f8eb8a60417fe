"""Time the alerts and grafana targets on generated estates, and compare with Sloth.

    python -m bench.alerts [--services 1000] [--pairs 9] [--sloth PATH] [--cache warm|cold]
                           [--out bench/results/alerts.json]

In-process: wall time and peak RSS of rendering `alerts` and `grafana` for every
environment of the estate (after load+resolve, which bench.resolve measures). Side by
side with Sloth (when --sloth names a `sloth` binary): the same SLOs converted to Sloth's
prometheus/v1 format, `sloth generate` on them against `obsc render --target alerts`,
alternating the two, median of pairs (wall and CPU time; the 1-minute load average before and
after, as the machine is shared; obsc's cache warm or emptied before each run). Sloth is not
a dependency of obsc and its code is never committed here; build it yourself and pass its
path.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.cpu import cpu_seconds
from bench.generate import generate
from bench.report import write_report
from compiler.model import EnvironmentModel
from compiler.output.canonical import dump_yaml
from compiler.pipeline import load_estate, render_files


def write_sloth_specs(model: EnvironmentModel, out: Path) -> int:
    """One Sloth prometheus/v1 file per service; returns the number of SLOs written."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for service in model.services:
        slos = [
            {
                "name": slo.name,
                "objective": slo.objective,
                "labels": {"team": service.team},
                "sli": {
                    "events": {
                        "error_query": slo.sli.bad.replace("{{window}}", "{{.window}}"),
                        "total_query": slo.sli.total.replace("{{window}}", "{{.window}}"),
                    }
                },
                "alerting": {
                    "name": f"{service.name}-{slo.name}-burn",
                    "page_alert": {"labels": {"severity": "page"}},
                    "ticket_alert": {"labels": {"severity": "ticket"}},
                },
            }
            for slo in service.slos
        ]
        if slos:
            spec = {"version": "prometheus/v1", "service": service.name, "slos": slos}
            (out / f"{service.name}.yaml").write_bytes(dump_yaml(spec))
            count += len(slos)
    return count


def _timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the process and its children) of a run.

    The machine is shared: CPU time is what a run costs whatever its neighbours do, wall
    time is what a user waits (and what the target is stated in).
    """
    os.sync()  # the previous run's writeback is not billed to this one (see bench.render)
    before = cpu_seconds()
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - started
    return wall, cpu_seconds() - before


def _files_and_bytes(root: Path) -> dict[str, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def in_process(repo: Path) -> dict[str, Any]:
    """Render alerts and grafana for every environment; time and peak RSS."""
    resolved = load_estate(repo).resolved
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures: dict[str, Any] = {}
    for target in ("alerts", "grafana"):
        pairs = [(env, target) for env in resolved.environments]
        started = time.perf_counter()
        files = render_files(resolved, pairs)
        figures[target] = {
            "seconds": round(time.perf_counter() - started, 3),
            "files": len(files),
            "bytes": sum(len(b) for b in files.values()),
        }
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["rss_before_render_mib"] = round(before / 1024, 1)
    return figures


def side_by_side(repo: Path, sloth: Path, pairs: int, cache: str = "warm") -> dict[str, Any]:
    """Median of alternating runs of `sloth generate` and `obsc render --target alerts`.

    obsc keeps its cache in the scratch directory: `warm` (as a user's second render finds
    it: recorded by one run before the pairs, not timed) or `cold` (emptied before every
    run, as a CI job without a cache finds it).
    """
    obsc_cache = repo / "obsc-cache"
    obsc_env = {**os.environ, "OBSC_CACHE_DIR": str(obsc_cache)}
    model = load_estate(repo).resolved.environments["prod"]
    slos = write_sloth_specs(model, repo / "sloth-specs")
    obsc = [
        sys.executable,
        "-m",
        "compiler.cli",
        "--repo",
        str(repo),
        "-q",
        "render",
        "--target",
        "alerts",
        "--env",
        "prod",
        "--no-policies",
    ]
    sloth_cmd = [
        str(sloth),
        "generate",
        "--no-log",
        "-i",
        str(repo / "sloth-specs"),
        "-o",
        str(repo / "sloth-out"),
    ]
    obsc_runs: list[tuple[float, float]] = []
    sloth_runs: list[tuple[float, float]] = []
    load_before = os.getloadavg()[0]
    if cache == "warm":
        subprocess.run(obsc, check=True, capture_output=True, env=obsc_env)
    for _ in range(pairs):
        subprocess.run(["rm", "-rf", str(repo / "rendered"), str(repo / "sloth-out")], check=True)
        if cache == "cold":
            subprocess.run(["rm", "-rf", str(obsc_cache)], check=True)
        (repo / "sloth-out").mkdir()
        obsc_runs.append(_timed(obsc, obsc_env))
        sloth_runs.append(_timed(sloth_cmd))
    load_after = os.getloadavg()[0]
    obsc_times, sloth_times = [w for w, _ in obsc_runs], [w for w, _ in sloth_runs]
    obsc_cpu, sloth_cpu = [c for _, c in obsc_runs], [c for _, c in sloth_runs]
    obsc_median, sloth_median = statistics.median(obsc_times), statistics.median(sloth_times)
    pair_ratios = [o / s for o, s in zip(obsc_times, sloth_times, strict=True)]
    return {
        "slos": slos,
        "pairs": pairs,
        "obsc_cache": cache,
        "load_average_1m": {"before": round(load_before, 1), "after": round(load_after, 1)},
        "obsc_output": _files_and_bytes(repo / "rendered"),
        "sloth_output": _files_and_bytes(repo / "sloth-out"),
        "obsc_seconds_median": round(obsc_median, 3),
        "sloth_seconds_median": round(sloth_median, 3),
        "obsc_to_sloth_ratio": round(obsc_median / sloth_median, 3),
        "median_pair_ratio": round(statistics.median(pair_ratios), 3),
        "obsc_cpu_seconds_median": round(statistics.median(obsc_cpu), 3),
        "sloth_cpu_seconds_median": round(statistics.median(sloth_cpu), 3),
        "obsc_seconds_all": [round(t, 3) for t in obsc_times],
        "sloth_seconds_all": [round(t, 3) for t in sloth_times],
        "obsc_cpu_seconds_all": [round(t, 3) for t in obsc_cpu],
        "sloth_cpu_seconds_all": [round(t, 3) for t in sloth_cpu],
        "note": "obsc's time includes load, validate, resolve, the generated promtool tests "
        "(a file per service), Alertmanager and Loki files; Sloth's is rules only, one 30d "
        "period for all SLOs",
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=9)
    parser.add_argument("--sloth", type=Path)
    parser.add_argument(
        "--cache", choices=("warm", "cold"), default="warm", help="obsc's cache (side_by_side)"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results/alerts.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch)
        generate(repo, services=args.services)
        data: dict[str, Any] = {"services": args.services, "render": in_process(repo)}
        if args.sloth:
            data["sloth"] = side_by_side(repo, args.sloth, args.pairs, args.cache)
    report = write_report(args.out, "alerts and grafana targets", data)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
