"""Measure `obsc detect --source` on the labelled corpus of real applications.

    python -m bench.detect_accuracy [--corpus tests/fixtures/detect_corpus]
                                    [--out bench/results/detect_accuracy.json]

For every app folder (with its LABEL.yaml): framework exact match on apps whose framework is
in the database, language and category (application or infrastructure) match on all, and
the count of wrong *confident* answers (a framework other than `generic` that is not the
label), which is worse than `generic`. A bundle whose LABEL.yaml has `services` (a compose
file or Kubernetes manifests, read as `input` with its `namespaces`) adds one row per
labelled service; a labelled service detection does not report counts as wrong, and one
under `excluded` (its inputs were not extracted) is not evaluated.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from compiler.detect import Detection, detect

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "detect_corpus"


def _row(app: str, label: dict[str, Any], found: Detection | None) -> dict[str, Any]:
    return {
        "app": app,
        "expected_framework": label["framework"],
        "expected_language": label["language"],
        "expected_category": label.get("category", "application"),
        "framework": found.framework if found else "none",
        "language": found.language if found else "none",
        "category": found.category if found else "none",
        "confidence": round(found.confidence, 3) if found else 0.0,
    }


def _bundle_rows(folder: Path, label: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per labelled service of a compose file or a set of manifests."""
    namespaces = frozenset(str(n) for n in label.get("namespaces") or [])
    found = {
        d.service: d
        for d in detect(label["input"], folder / str(label["path"]), namespaces=namespaces)
    }
    for name in label.get("excluded") or {}:
        found.pop(name, None)  # its inputs are not in the corpus: not evaluated
    rows = [
        _row(f"{folder.name}/{name}", expected, found.pop(name, None))
        for name, expected in sorted(label["services"].items())
    ]
    rows.extend(  # detected but not labelled (a filter that let too much through)
        _row(f"{folder.name}/{name}", {"framework": "none", "language": "none"}, d)
        for name, d in sorted(found.items())
    )
    return rows


def evaluate(corpus: Path) -> dict[str, Any]:
    """Run detection on every labelled app and compare with its label."""
    rows = []
    for label_file in sorted(corpus.glob("*/LABEL.yaml")):
        label = YAML(typ="safe").load(label_file.read_text(encoding="utf-8"))
        if label.get("services"):
            rows.extend(_bundle_rows(label_file.parent, label))
            continue
        if label_file.parent.name.startswith("deploy-"):
            continue  # unlabelled multi-service bundles: tests/detect/test_corpus.py reads them
        app = label_file.parent / str(label.get("path") or "")
        found = detect("source", app)
        rows.append(_row(label_file.parent.name, label, found[0] if found else None))
    known = [r for r in rows if r["expected_framework"] not in ("other", "none")]
    framework_ok = sum(r["framework"] == r["expected_framework"] for r in known)
    language_ok = sum(r["language"] == r["expected_language"] for r in rows)
    category_ok = sum(r["category"] == r["expected_category"] for r in rows)
    wrong_confident = [
        r["app"] for r in rows if r["framework"] not in ("generic", r["expected_framework"])
    ]
    confusion = Counter(f"{r['expected_framework']} -> {r['framework']}" for r in rows)
    return {
        "apps": len(rows),
        "framework_accuracy": round(framework_ok / len(known), 3) if known else None,
        "language_accuracy": round(language_ok / len(rows), 3) if rows else None,
        "category_accuracy": round(category_ok / len(rows), 3) if rows else None,
        "wrong_confident": wrong_confident,
        "wrong_language": [r["app"] for r in rows if r["language"] != r["expected_language"]],
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
