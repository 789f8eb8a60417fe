"""Time the policy check (one `cue vet` per environment) on generated estates.

    python -m bench.policies [--sizes 100 1000] [--runs 3] [--out bench/results/policies.json]

Needs cue (scripts/install-tools.sh, or OBSC_CUE). The default policy pack is used; the
generated estates are not meant to pass it, so the time includes translating violations.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from bench.generate import generate
from bench.report import timings, write_report
from compiler.errors import PolicyError
from compiler.pipeline import check_policies, load_estate

DEFAULT_PACK = Path(__file__).resolve().parent.parent / "compiler" / "policies" / "default"


def measure(repo: Path) -> tuple[float, int]:
    """One run: (seconds of the policy check alone, violations reported)."""
    estate = load_estate(repo)
    started = time.perf_counter()
    try:
        check_policies(repo, estate)
        violations = 0
    except PolicyError as exc:
        violations = len(exc.diagnostics)
    return time.perf_counter() - started, violations


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/policies.json"))
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            repo = Path(scratch)
            generate(repo, services=size)
            shutil.copytree(DEFAULT_PACK, repo / "policies")
            runs = [measure(repo) for _ in range(args.runs)]
        row = {
            "services": size,
            "environments": 2,
            **timings([r[0] for r in runs]),
            "violations": runs[0][1],
        }
        results.append(row)
        print(json.dumps(row))
    write_report(args.out, "policy check (cue vet)", {"results": results})


if __name__ == "__main__":
    main()
