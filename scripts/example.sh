#!/usr/bin/env bash
# The main job on the example estate: install obsc and cue (the policy checker), validate
# specs/ against them and policies/, and render rendered/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/install-tools.sh cue
.venv/bin/obsc validate
.venv/bin/obsc render
