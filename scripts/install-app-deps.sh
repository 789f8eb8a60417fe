#!/usr/bin/env bash
# Install the libraries of the SLI-truth apps (tests/frameworks/apps/<language>/) into a cache
# outside the repo, as the real-tool tests expect them:
#   ${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}/apps/python-<sha256 of requirements.txt, 12>/
#   ${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}/apps/node-<sha256 of package-lock.json, 12>/
#   ${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}/apps/go-<sha256 of go.mod, go.sum, *.go, 12>/bin/
#   ${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}/apps/nextjs-<sha256 of package-lock.json, app/, 12>/
# A virtualenv with the pinned packages from PyPI (pip's own cache makes a rebuild cheap),
# node_modules from npm exactly as package-lock.json pins them (`npm ci`), and the Go apps
# built with the modules go.sum pins, from the Go module proxy (module cache under apps/);
# the Next.js app is its own npm project (next is large), installed and `next build`-ed there.
# Nothing is vendored: the apps' sources are in the repo, their libraries only in the cache.
# Already installed: nothing to do. tests/frameworks/app_deps.py finds it by the same rule.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_DIR="${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}"
PYTHON="${OBSC_APPS_PYTHON:-python3}"

APPS="$REPO/tests/frameworks/apps"

# install NAME DIGEST BUILD: `BUILD STAGE FINAL` fills STAGE, which then moves to
# FINAL=$TOOLS_DIR/apps/NAME-DIGEST; a failed build leaves nothing behind.
install() {
  local name=$1 digest=$2 build=$3
  local dir="$TOOLS_DIR/apps/$name-$digest"
  if [[ -f "$dir/.complete" ]]; then
    echo "apps: $name-$digest already installed"
    return
  fi
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial"
  trap "rm -rf '$dir.partial'" ERR
  "$build" "$dir.partial" "$dir"
  touch "$dir.partial/.complete"
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
  trap - ERR
  echo "apps: installed $name-$digest"
}

build_python() {
  "$PYTHON" -m venv "$1"
  "$1/bin/pip" install --quiet --disable-pip-version-check --no-deps \
    -r "$APPS/python/requirements.txt"
  "$1/bin/pip" check
  # A virtualenv records its own path in its scripts: point them where it will be.
  sed -i "s|$1|$2|g" "$1"/bin/*
}

build_node() {
  cp "$APPS/node/package.json" "$APPS/node/package-lock.json" "$1/"
  (cd "$1" && npm ci --no-audit --no-fund --loglevel=error --cache "$TOOLS_DIR/apps/npm-cache")
}

build_go() {
  (cd "$APPS/go" && GOMODCACHE="$TOOLS_DIR/apps/go-mod" GOFLAGS=-mod=readonly \
    GOTOOLCHAIN=local go build -trimpath -o "$1/bin/" ./...)
}

build_nextjs() {
  cp -r "$APPS/nextjs/package.json" "$APPS/nextjs/package-lock.json" "$APPS/nextjs/app" "$1/"
  (cd "$1" && npm ci --no-audit --no-fund --loglevel=error --cache "$TOOLS_DIR/apps/npm-cache" &&
    NEXT_TELEMETRY_DISABLED=1 node node_modules/next/dist/bin/next build >build.log)
}

digest() {
  sha256sum | cut -c1-12
}

install python "$(digest <"$APPS/python/requirements.txt")" build_python
if command -v go >/dev/null; then
  install go "$(cd "$APPS/go" && cat go.mod go.sum $(find . -name '*.go' | LC_ALL=C sort) | digest)" \
    build_go
else
  echo "apps: go not found: the Go apps' tests will be skipped (fail under CI=true)" >&2
fi
if command -v npm >/dev/null; then
  install node "$(digest <"$APPS/node/package-lock.json")" build_node
  install nextjs "$(cd "$APPS/nextjs" && cat package-lock.json $(find app -name '*.js' | LC_ALL=C sort) |
    digest)" build_nextjs
else
  echo "apps: npm not found: the Node apps' tests will be skipped (fail under CI=true)" >&2
fi
