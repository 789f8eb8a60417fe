#!/usr/bin/env bash
# Install the libraries of the SLI-truth apps (tests/frameworks/apps/<language>/) into a cache
# outside the repo, as the real-tool tests expect them:
#   ${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}/apps/python-<sha256 of requirements.txt, 12>/
# A virtualenv with the pinned packages from PyPI (pip's own cache makes a rebuild cheap).
# Nothing is vendored: the apps' sources are in the repo, their libraries only in the cache.
# Already installed: nothing to do. tests/frameworks/app_deps.py finds it by the same rule.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_DIR="${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}"
PYTHON="${OBSC_APPS_PYTHON:-python3}"

requirements="$REPO/tests/frameworks/apps/python/requirements.txt"
digest=$(sha256sum "$requirements" | cut -c1-12)
venv="$TOOLS_DIR/apps/python-$digest"
if [[ -x "$venv/bin/python" && -f "$venv/.complete" ]]; then
  echo "apps: python-$digest already installed"
  exit 0
fi
rm -rf "$venv.partial"
trap 'rm -rf "$venv.partial"' ERR
"$PYTHON" -m venv "$venv.partial"
"$venv.partial/bin/pip" install --quiet --disable-pip-version-check --no-deps \
  -r "$requirements"
"$venv.partial/bin/pip" check
touch "$venv.partial/.complete"
rm -rf "$venv"
mv "$venv.partial" "$venv"
# A virtualenv records its own path in its scripts: moved, they would point at .partial.
sed -i "s|$venv.partial|$venv|g" "$venv"/bin/*
echo "apps: installed python-$digest"
