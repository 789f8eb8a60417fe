#!/usr/bin/env bash
# Create .venv and install obsc into it (with the test tools when called with "dev").
# Idempotent: re-running only installs what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "obsc needs Python >= 3.11 (found: $("$python" --version 2>&1))" >&2
    exit 4
fi
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
extra=""
[ "${1:-}" = "dev" ] && extra="[dev]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --constraint constraints.txt --editable ".${extra}"
