"""What a full render writes, before and after a change: bytes and files per service.

    python -m bench.output_size BEFORE_ROOT AFTER_ROOT [--sizes 100 1000] [--runs 3]
        [--out bench/results/output_size.json]

Each root holds the `compiler` and `targets` packages of one version (a `git archive` of a
commit will do); obsc runs as `python -m compiler.cli` with that root first on PYTHONPATH,
as in bench.before_after. Per size, one generated *heavy* estate (bench.generate --heavy:
three SLOs per service, one of them latency, every target in both environments) is rendered
by each version, alternating runs, with `obsc render --no-policies` into an empty rendered/
and an empty cache (the policy check is bench.policies' job). Recorded per version:

- `seconds_median` and every run's wall time; `cpu_seconds_median`, the CPU time (user and
  system) of the whole process tree, workers included, which other work on a shared
  machine disturbs less than the wall time;
- `files`, `bytes` and both per service, of the whole rendered/ tree;
- `by_target` (`<env>/<target>`) and `by_kind` (alert rules, promtool tests, dashboards,
  and what the Helm chart carries of each): files and bytes;
- `deterministic`: whether every run of the version wrote byte-identical trees.

`after_over_before` compares bytes per service, files per service and the median times.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.before_after import _run
from bench.generate import generate
from bench.report import write_report

#: (kind, test on the path relative to rendered/<env>/), first match wins.
KINDS: tuple[tuple[str, str], ...] = (
    ("alert rules", "alerts/rules/"),
    ("promtool tests", "alerts/tests/"),
    ("dashboards", "grafana/dashboards/"),
    ("helm: alert rules", "helm/obs-stack/files/alerts/rules/"),
    ("helm: dashboards", "helm/obs-stack/files/grafana/dashboards/"),
)


def kind_of(path: str) -> str:
    """The kind of a file under rendered/<env>/ (`other: <target>` when none of KINDS)."""
    for kind, prefix in KINDS:
        if path.startswith(prefix):
            return kind
    return f"other: {path.split('/', 1)[0]}"


def _files(root: Path) -> Iterator[tuple[str, int]]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path.relative_to(root).as_posix(), path.stat().st_size


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for name, _ in _files(root):
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()


def _add(table: dict[str, dict[str, int]], key: str, size: int) -> None:
    entry = table.setdefault(key, {"files": 0, "bytes": 0})
    entry["files"] += 1
    entry["bytes"] += size


def tree_sizes(rendered: Path, services: int) -> dict[str, object]:
    """Files and bytes of a rendered/ tree: in all, per service, per target and per kind."""
    by_target: dict[str, dict[str, int]] = {}
    by_kind: dict[str, dict[str, int]] = {}
    files = total = 0
    for name, size in _files(rendered):
        files, total = files + 1, total + size
        env, _, rest = name.partition("/")
        if not rest:  # rendered/manifest.json
            continue
        _add(by_target, f"{env}/{rest.split('/', 1)[0]}", size)
        _add(by_kind, kind_of(rest), size)
    return {
        "files": files,
        "bytes": total,
        "files_per_service": round(files / services, 2),
        "bytes_per_service": round(total / services),
        "by_target": dict(sorted(by_target.items())),
        "by_kind": dict(sorted(by_kind.items())),
    }


def measure(roots: dict[str, Path], size: int, runs: int) -> dict[str, object]:
    """Render one heavy estate of `size` services with each version, alternating."""
    seconds: dict[str, list[float]] = {version: [] for version in roots}
    cpu: dict[str, list[float]] = {version: [] for version in roots}
    digests: dict[str, set[str]] = {version: set() for version in roots}
    result: dict[str, object] = {"services": size}
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        generate(base / "estate", services=size, heavy=True)
        repos = {v: base / f"estate-{v}" for v in roots}
        for repo in repos.values():
            shutil.copytree(base / "estate", repo)
        for _ in range(runs):
            for version, root in roots.items():
                shutil.rmtree(repos[version] / "rendered", ignore_errors=True)
                cache = base / f"cache-{version}"
                shutil.rmtree(cache, ignore_errors=True)
                args = ["render", "--no-policies"]
                wall, used = _run(root, repos[version], cache, args)
                seconds[version].append(wall)
                cpu[version].append(used)
                digests[version].add(_digest(repos[version] / "rendered"))
        for version in roots:
            result[version] = {
                "seconds_median": round(statistics.median(seconds[version]), 3),
                "seconds_all": [round(s, 3) for s in seconds[version]],
                "cpu_seconds_median": round(statistics.median(cpu[version]), 3),
                "cpu_seconds_all": [round(s, 3) for s in cpu[version]],
                "deterministic": len(digests[version]) == 1,
                **tree_sizes(repos[version] / "rendered", size),
            }
    before, after = result["before"], result["after"]
    assert isinstance(before, dict) and isinstance(after, dict)
    result["after_over_before"] = {
        key: round(after[key] / before[key], 3)
        for key in (
            "bytes_per_service",
            "files_per_service",
            "seconds_median",
            "cpu_seconds_median",
        )
    }
    return result


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/output_size.json"))
    args = parser.parse_args()
    roots = {"before": args.before.resolve(), "after": args.after.resolve()}
    os.environ.setdefault("PYTHONHASHSEED", "0")
    results = []
    for size in args.sizes:
        results.append(measure(roots, size, args.runs))
        print(results[-1], flush=True)
    write_report(args.out, "output_size", {"runs": args.runs, "sizes": results})


if __name__ == "__main__":
    main()
