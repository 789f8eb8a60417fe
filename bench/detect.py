"""Time `obsc detect` on one generated compose file of many services.

    python -m bench.detect [--services 500] [--runs 3] [--out bench/results/detect.json]

The compose file mixes build contexts (flask, express, spring-boot source trees with a
Dockerfile), official infrastructure images and unknown images, so every input path of
detection is exercised. Each run is a fresh subprocess; the figure kept is the median.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import timings, write_report

_CHILD = """
import sys, time
from pathlib import Path
started = time.perf_counter()
from compiler.detect import detect
found = detect("compose", Path(sys.argv[1]))
print(time.perf_counter() - started, len(found))
"""

_TREES = {
    "flask": {
        "requirements.txt": "flask==3.0.3\ngunicorn==21.2.0\n",
        "Dockerfile": 'FROM python:3.12-slim\nEXPOSE 5000\nCMD ["gunicorn", "app:app"]\n',
    },
    "express": {
        "package.json": '{"dependencies": {"express": "^4.19.2"}}\n',
        "Dockerfile": 'FROM node:20\nEXPOSE 3000\nCMD ["node", "server.js"]\n',
    },
    "spring": {
        "pom.xml": "<project><dependencies><dependency><groupId>org.springframework.boot"
        "</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>"
        "</dependencies></project>\n",
        "Dockerfile": 'FROM eclipse-temurin:21-jre\nENTRYPOINT ["java", "-jar", "/app.jar"]\n',
    },
}
_IMAGES = ["postgres:16", "redis:7", "nginx:1.25", "mysql:8", "acme/unknown:1"]


def generate(root: Path, services: int) -> Path:
    """Write `services` compose services (and one source tree per service with a build)."""
    lines = ["services:"]
    kinds = [*_TREES, *_IMAGES]
    for index in range(services):
        kind = kinds[index % len(kinds)]
        name = f"svc-{index:04d}"
        lines.append(f"  {name}:")
        if kind in _TREES:
            tree = root / name
            tree.mkdir(parents=True)
            for file, text in _TREES[kind].items():
                (tree / file).write_text(text)
            lines.append(f"    build: ./{name}")
        else:
            lines.append(f"    image: {kind}")
        lines.append("    environment: [LOG_LEVEL=info, API_TOKEN=x]")
    compose = root / "docker-compose.yml"
    compose.write_text("\n".join(lines) + "\n")
    return compose


def measure(compose: Path) -> tuple[float, int]:
    """One run in a fresh interpreter: (seconds including imports, services detected)."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(compose)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    seconds, count = out.stdout.split()
    return float(seconds), int(count)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        compose = generate(Path(scratch), args.services)
        runs = [measure(compose) for _ in range(args.runs)]
    data = {"services": args.services, "detected": runs[0][1], **timings([r[0] for r in runs])}
    print(json.dumps(write_report(args.out, "detect from one compose file", data), indent=2))


if __name__ == "__main__":
    main()
