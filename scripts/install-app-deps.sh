#!/usr/bin/env bash
# Install the libraries of the SLI-truth apps (tests/frameworks/apps/<language>/) into a cache
# outside the repo, as the real-tool tests expect them:
#   ${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}/apps/python-<sha256 of requirements.txt, 12>/
#   ${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}/apps/node-<sha256 of package-lock.json, 12>/
#   ${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}/apps/go-<sha256 of go.mod, go.sum, *.go, 12>/bin/
# A virtualenv with the pinned packages from PyPI (pip's own cache makes a rebuild cheap),
# node_modules from npm exactly as package-lock.json pins them (`npm ci`), and the Go apps
# built with the modules go.sum pins, from the Go module proxy (module cache under apps/).
# Nothing is vendored: the apps' sources are in the repo, their libraries only in the cache.
# Already installed: nothing to do. tests/frameworks/app_deps.py finds it by the same rule.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_DIR="${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}"
PYTHON="${OBSC_APPS_PYTHON:-python3}"

install_python() {
  local requirements="$REPO/tests/frameworks/apps/python/requirements.txt"
  local digest venv
  digest=$(sha256sum "$requirements" | cut -c1-12)
  venv="$TOOLS_DIR/apps/python-$digest"
  if [[ -f "$venv/.complete" ]]; then
    echo "apps: python-$digest already installed"
    return
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
  trap - ERR
  echo "apps: installed python-$digest"
}

install_node() {
  local source="$REPO/tests/frameworks/apps/node"
  local digest dir
  digest=$(sha256sum "$source/package-lock.json" | cut -c1-12)
  dir="$TOOLS_DIR/apps/node-$digest"
  if [[ -f "$dir/.complete" ]]; then
    echo "apps: node-$digest already installed"
    return
  fi
  rm -rf "$dir.partial"
  trap 'rm -rf "$dir.partial"' ERR
  mkdir -p "$dir.partial"
  cp "$source/package.json" "$source/package-lock.json" "$dir.partial/"
  (cd "$dir.partial" && npm ci --no-audit --no-fund --loglevel=error \
    --cache "$TOOLS_DIR/apps/npm-cache")
  touch "$dir.partial/.complete"
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
  trap - ERR
  echo "apps: installed node-$digest"
}

go_digest() {
  local source="$REPO/tests/frameworks/apps/go"
  (cd "$source" && cat go.mod go.sum $(find . -name '*.go' | LC_ALL=C sort)) | sha256sum | cut -c1-12
}

install_go() {
  local source="$REPO/tests/frameworks/apps/go"
  local digest dir
  digest=$(go_digest)
  dir="$TOOLS_DIR/apps/go-$digest"
  if [[ -f "$dir/.complete" ]]; then
    echo "apps: go-$digest already installed"
    return
  fi
  rm -rf "$dir.partial"
  trap 'rm -rf "$dir.partial"' ERR
  mkdir -p "$dir.partial/bin"
  (cd "$source" && GOMODCACHE="$TOOLS_DIR/apps/go-mod" GOFLAGS=-mod=readonly GOTOOLCHAIN=local \
    go build -trimpath -o "$dir.partial/bin/" ./...)
  touch "$dir.partial/.complete"
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
  trap - ERR
  echo "apps: installed go-$digest"
}

install_python
if command -v go >/dev/null; then
  install_go
else
  echo "apps: go not found: the Go apps' tests will be skipped (fail under CI=true)" >&2
fi
if command -v npm >/dev/null; then
  install_node
else
  echo "apps: npm not found: the Node apps' tests will be skipped (fail under CI=true)" >&2
fi
