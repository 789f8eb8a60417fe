"""Time `obsc report` on a generated estate (rendered first, as CI would have it).

    python -m bench.report_page [--services 1000] [--runs 3] [--out bench/results/report.json]

Each run is a fresh `obsc report` process, as CI runs it: wall seconds, and the CPU
seconds the process used (on a shared machine the wall clock includes waiting for a CPU).
The page's size is recorded too: a large estate is folded by team, with one chart per SLO
profile instead of one per SLO.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.cpu import cpu_seconds
from bench.generate import generate
from bench.report import timings, write_report


def _obsc(repo: Path, *args: str) -> None:
    command = [sys.executable, "-m", "compiler.cli", "--repo", str(repo), "-q", *args]
    subprocess.run(command, check=True, env={**os.environ, "OBSC_CACHE_DIR": str(repo / ".c")})


def measure(repo: Path, out: Path) -> tuple[float, float]:
    """One `obsc report` process: (wall seconds, CPU seconds)."""
    before = cpu_seconds()
    started = time.perf_counter()
    _obsc(repo, "report", "--out", str(out))
    wall = time.perf_counter() - started
    return wall, cpu_seconds() - before


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/report.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch)
        generate(repo, services=args.services)
        _obsc(repo, "render", "--no-policies")
        page = repo / "report.html"
        runs = [measure(repo, page) for _ in range(args.runs)]
        size = page.stat().st_size
    result = {
        "services": args.services,
        "environments": 2,
        "wall": timings([r[0] for r in runs]),
        "cpu": timings([r[1] for r in runs]),
        "page_bytes": size,
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(result))
    write_report(args.out, "obsc report (one process per run)", result)


if __name__ == "__main__":
    main()
