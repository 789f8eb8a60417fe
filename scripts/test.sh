#!/usr/bin/env bash
# The whole test suite on a fresh machine: install obsc with its test dependencies, the
# pinned external tools (cue, promtool, amtool, prometheus) and the libraries of the
# SLI-truth apps (tests/frameworks/apps), then lint, type-check and test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
scripts/install-tools.sh
scripts/install-app-deps.sh
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
# Every test: a bare `pytest` leaves the slow ones out (tests/conftest.py).
.venv/bin/python -m pytest -m "slow or not slow" "$@"
