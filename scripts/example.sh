#!/usr/bin/env bash
# The main job on the example estate: install obsc, validate specs/, render rendered/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/obsc validate
.venv/bin/obsc render
