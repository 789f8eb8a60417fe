"""Time validate+resolve (load, validate, cross-check, resolve) on generated estates.

    python -m bench.resolve [--sizes 100 1000 10000] [--runs 3] [--out bench/results/resolve.json]

Each measurement runs in a fresh subprocess so peak RSS is the run's own; the figure kept
is the median wall time of the runs and the largest peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.generate import generate
from bench.report import timings, write_report

_CHILD = """
import resource, sys, time
from pathlib import Path
started = time.perf_counter()
from compiler.pipeline import load_estate
estate = load_estate(Path(sys.argv[1]))
elapsed = time.perf_counter() - started
services = sum(len(e.services) for e in estate.resolved.environments.values())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(elapsed, peak, services)
"""


def measure(repo: Path) -> tuple[float, int, int]:
    """One run: (seconds, peak RSS in KiB, resolved service-environments)."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(repo)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    seconds, peak, services = out.stdout.split()
    return float(seconds), int(peak), int(services)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/resolve.json"))
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            repo = Path(scratch)
            generate(repo, services=size)
            runs = [measure(repo) for _ in range(args.runs)]
        row = {
            "services": size,
            **timings([r[0] for r in runs]),
            "peak_rss_mib": round(max(r[1] for r in runs) / 1024, 1),
            "service_environments": runs[0][2],
        }
        results.append(row)
        print(json.dumps(row))
    write_report(args.out, "validate+resolve", {"results": results})


if __name__ == "__main__":
    main()
