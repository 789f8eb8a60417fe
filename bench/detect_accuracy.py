"""Measure `obsc detect --source` on the labelled corpus of real applications.

    python -m bench.detect_accuracy [--corpus tests/fixtures/detect_corpus]
                                    [--out bench/results/detect_accuracy.json]

For every app folder (with its LABEL.yaml): framework exact match on apps whose framework is
in the database, language match on all, and the count of wrong *confident* answers (a
framework other than `generic` that is not the label), which is worse than `generic`.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from compiler.detect import detect

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "detect_corpus"


def evaluate(corpus: Path) -> dict[str, Any]:
    """Run detection on every labelled app and compare with its label."""
    rows = []
    for label_file in sorted(corpus.glob("*/LABEL.yaml")):
        if label_file.parent.name.startswith("deploy-"):
            continue  # multi-service bundles: exercised by the compose/k8s inputs instead
        label = YAML(typ="safe").load(label_file.read_text(encoding="utf-8"))
        app = label_file.parent / str(label.get("path") or "")
        found = detect("source", app)
        best = found[0] if found else None
        rows.append(
            {
                "app": label_file.parent.name,
                "expected_framework": label["framework"],
                "expected_language": label["language"],
                "framework": best.framework if best else "none",
                "language": best.language if best else "none",
                "confidence": round(best.confidence, 3) if best else 0.0,
            }
        )
    known = [r for r in rows if r["expected_framework"] != "other"]
    framework_ok = sum(r["framework"] == r["expected_framework"] for r in known)
    language_ok = sum(r["language"] == r["expected_language"] for r in rows)
    wrong_confident = [
        r["app"] for r in rows if r["framework"] not in ("generic", r["expected_framework"])
    ]
    confusion = Counter(f"{r['expected_framework']} -> {r['framework']}" for r in rows)
    return {
        "apps": len(rows),
        "framework_accuracy": round(framework_ok / len(known), 3) if known else None,
        "language_accuracy": round(language_ok / len(rows), 3) if rows else None,
        "wrong_confident": wrong_confident,
        "confusion": dict(sorted(confusion.items())),
        "rows": rows,
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=Path("bench/results/detect_accuracy.json"))
    args = parser.parse_args()
    report = evaluate(args.corpus)
    summary = {k: v for k, v in report.items() if k != "rows"}
    print(json.dumps(summary, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
