"""Time `obsc diff --format markdown` when every `objective: 99` of a generated estate changes.

    python -m bench.diff [--services 1000] [--runs 3]

In-process, after generating the estate and rendering it: the median wall time of `diff`
(load + resolve + render in memory + semantic compare) and of formatting the Markdown
comment, with the numbers of changed files and change lines.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from bench.generate import generate
from compiler.gitops.diff import diff
from compiler.gitops.diff_format import as_markdown
from compiler.pipeline import render


def main() -> None:
    """Generate, render, change every 99 objective to 99.5, and time the diff."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "estate"
        generate(repo, services=args.services)
        render(repo, with_policies=False)
        for spec in (repo / "specs").rglob("*.yaml"):
            text = spec.read_text()
            spec.write_text(re.sub(r"objective: 99\n", "objective: 99.5\n", text))
        diff_times, format_times = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = diff(repo)
            middle = time.perf_counter()
            comment = as_markdown(result)
            diff_times.append(middle - start)
            format_times.append(time.perf_counter() - middle)
    print(
        f"services={args.services} files={len(result.files)} changes={len(result.changes)} "
        f"diff={statistics.median(diff_times):.2f}s "
        f"markdown={statistics.median(format_times) * 1000:.0f}ms ({len(comment)} chars)"
    )


if __name__ == "__main__":
    main()
