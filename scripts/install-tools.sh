#!/usr/bin/env bash
# Install the external tools pinned in scripts/tools.versions into a cache outside the repo:
#   ${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}/<tool>-<version>/bin/<tool>
# Tools already present there are skipped. tests/realtools.py finds them by the same convention.
# Debian tools are unpacked first, one after another; the Go builds then run
# ${OBSC_TOOLS_JOBS:-2} at a time, each logging to its own file, shown whole when it ends.
# Route per pin: "v..." = Go module tag (go install, or go mod download + go build for modules
# listed in GO_BUILD_MOD, or the OpenTelemetry Collector Builder for tools listed in
# OCB_MANIFEST); anything else = Debian package version (apt-get download + dpkg-deb -x;
# nothing is installed system-wide). See scripts/TOOLS.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VERSIONS_FILE="$SCRIPT_DIR/tools.versions"
TOOLS_DIR="${OBSC_TOOLS_DIR:-$HOME/.cache/obsc-tools}"

# Route "go": package to `go install`.
declare -A GO_PKG=(
  [cue]=cuelang.org/go/cmd/cue
  [amtool]=github.com/prometheus/alertmanager/cmd/amtool
  [alertmanager]=github.com/prometheus/alertmanager/cmd/alertmanager
  [helm]=helm.sh/helm/v3/cmd/helm
  [kubeconform]=github.com/yannh/kubeconform/cmd/kubeconform
  [kustomize]=sigs.k8s.io/kustomize/kustomize/v5
)
# Extra -ldflags per go-install tool ({V} is replaced by the version with its "v"): the version
# string upstream's Makefile injects (a plain `go install` reports "v3.22" / "development").
HELM_VERSION_PKG=helm.sh/helm/v3/internal/version
declare -A GO_INSTALL_LDFLAGS=(
  [helm]="-X $HELM_VERSION_PKG.version={V} -X $HELM_VERSION_PKG.gitTreeState=clean"
  [kubeconform]="-X main.version={V}"
)
# Route "go build": Go modules whose go.mod has `replace` directives, which `go install
# mod@version` refuses. The module is fetched with `go mod download` (checked against the
# checksum database), copied to a writable directory and built there as the main module, so its
# replace directives apply. The value is the package to build, relative to the module root.
declare -A GO_BUILD_MOD=(
  [dashboard-linter]=github.com/grafana/dashboard-linter
  [lokitool]=github.com/grafana/loki/v3
  [loki]=github.com/grafana/loki/v3
  # No replace directives, but `exclude` ones, which `go install mod@version` refuses too.
  [prometheus]=github.com/prometheus/prometheus
)
declare -A GO_BUILD_PKG=([dashboard-linter]=. [lokitool]=./cmd/lokitool [loki]=./cmd/loki
  [prometheus]=./cmd/prometheus)
# Extra -ldflags per go-build tool ({V} is replaced by the release version, see
# release_version, without its "v").
LOKI_BUILD=github.com/grafana/loki/v3/pkg/util/build
LOKI_LDFLAGS="-X $LOKI_BUILD.Version={V} -X $LOKI_BUILD.Revision=v{V} -X $LOKI_BUILD.Branch=v{V}"
# The version string of tools that read it from prometheus/common/version (set via -ldflags,
# as upstream's promu does; a plain `go install` would report an empty version). {V} as above.
PROM_VERSION_PKG=github.com/prometheus/common/version
PROM_LDFLAGS="-X $PROM_VERSION_PKG.Version={V} -X $PROM_VERSION_PKG.Revision=v{V}"
PROM_LDFLAGS+=" -X $PROM_VERSION_PKG.Branch=v{V} -X $PROM_VERSION_PKG.BuildUser=obsc-install-tools"
declare -A GO_BUILD_LDFLAGS=([lokitool]=$LOKI_LDFLAGS [loki]=$LOKI_LDFLAGS [prometheus]=$PROM_LDFLAGS)
# Go-install tools whose -ldflags are PROM_LDFLAGS.
declare -A GO_PROM_VERSION=([amtool]=1 [alertmanager]=1)
# Route "builder": OpenTelemetry Collector distributions built by the OpenTelemetry Collector
# Builder (ocb) from a manifest in scripts/. ocb is `go install`ed at the pin's version (core
# collector and ocb share release tags) and cached as <tools>/ocb-<version>/bin/builder. The
# manifest used is kept beside the binary (<tool>-<version>/builder.yaml); the tool only counts
# as cached while that copy is byte-identical to the manifest in scripts/.
declare -A OCB_MANIFEST=([otelcol-obsc]=otelcol-builder.yaml)
OCB_PKG=go.opentelemetry.io/collector/cmd/builder
# Route "deb": Debian package holding usr/bin/<tool>.
declare -A DEB_PKG=(
  [promtool]=prometheus
  [prometheus]=prometheus
  [amtool]=prometheus-alertmanager
)

WORK=""
# Staging dirs are named <tools>/.staging-*.$$: the builds run in subshells, where $$ is still
# this script's PID, so this one trap removes whatever a failed or interrupted build left.
cleanup() {
  if [[ -n $WORK ]]; then rm -rf "$WORK"; fi
  rm -rf "$TOOLS_DIR"/.staging-*."$$"
}
trap cleanup EXIT

# release_version <tool> <pin>: the version the tool reports, without a "v". Prometheus' Go
# module tags encode release X.Y.Z as v0.(100X+Y).Z (v0.307.3 is Prometheus 3.7.3).
release_version() {
  local name=$1 version=${2#v}
  if [[ $name == prometheus && $version =~ ^0\.([0-9]+)([0-9][0-9])\.([0-9]+)$ ]]; then
    echo "${BASH_REMATCH[1]}.$((10#${BASH_REMATCH[2]})).${BASH_REMATCH[3]}"
  else
    echo "$version"
  fi
}

work_dir() {
  if [[ -z $WORK ]]; then WORK=$(mktemp -d "${TMPDIR:-/tmp}/obsc-tools.XXXXXX"); fi
}

go_bin() {
  if command -v go >/dev/null 2>&1; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    echo /usr/local/go/bin/go
  else
    echo "error: go not found (needed for Go-route tools)" >&2
    return 1
  fi
}

# go_install <tool> <version> <bindir>
go_install() {
  local name=$1 version=$2 bindir=$3 go ldflags=""
  local pkg=${GO_PKG[$name]:-}
  if [[ -z $pkg ]]; then
    echo "error: $name has no Go package configured" >&2
    return 1
  fi
  go=$(go_bin)
  if [[ -n ${GO_PROM_VERSION[$name]:-} ]]; then
    ldflags="${PROM_LDFLAGS//\{V\}/$(release_version "$name" "$version")}"
  fi
  if [[ -n ${GO_INSTALL_LDFLAGS[$name]:-} ]]; then
    ldflags="${GO_INSTALL_LDFLAGS[$name]//\{V\}/$version}"
  fi
  # The build cache (~600 MB) is per-run scratch; see go_env.
  go_env
  (
    cd "$WORK"
    env GOBIN="$bindir" "${GO_ENV[@]}" "$go" install -ldflags="$ldflags" "$pkg@$version"
  ) >"$WORK/go-$name.log" 2>&1 || {
    cat "$WORK/go-$name.log" >&2
    echo "error: go install $pkg@$version failed" >&2
    return 1
  }
}

# go_build_module <tool> <version> <bindir>
go_build_module() {
  local name=$1 version=$2 bindir=$3 go json dir got
  local mod=${GO_BUILD_MOD[$name]}
  local extra_ldflags=${GO_BUILD_LDFLAGS[$name]:-}
  go=$(go_bin)
  work_dir
  local log="$WORK/go-$name.log"
  local -a goenv=(GOMODCACHE="$TOOLS_DIR/.go/mod" GOCACHE="$WORK/go-build" GOWORK=off
    GOTOOLCHAIN=local)
  if ! json=$(cd "$WORK" && env "${goenv[@]}" GOFLAGS=-modcacherw \
    "$go" mod download -json "$mod@$version" 2>"$log"); then
    printf '%s\n' "$json" >&2
    cat "$log" >&2
    echo "error: go mod download $mod@$version failed" >&2
    return 1
  fi
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  got=$(sed -n 's/^[[:space:]]*"Version": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  if [[ -z $dir || ! -d $dir || $got != "$version" ]]; then
    printf '%s\n' "$json" >&2
    echo "error: go mod download $mod@$version gave no module directory for $version" >&2
    return 1
  fi
  # The module cache is read-only; build in a writable copy (go may update go.sum there).
  local src="$WORK/src-$name"
  cp -R "$dir" "$src"
  chmod -R u+w "$src"
  local prepare="prepare_${name//-/_}"
  if declare -F "$prepare" >/dev/null; then "$prepare" "$src" "$go" >>"$log" 2>&1; fi
  (
    cd "$src"
    env "${goenv[@]}" GOFLAGS="-mod=mod -modcacherw -trimpath" CGO_ENABLED=0 \
      "$go" build -ldflags="-s -w ${extra_ldflags//\{V\}/$(release_version "$name" "$version")}" \
      -o "$bindir/$name" "${GO_BUILD_PKG[$name]:-.}"
  ) >>"$log" 2>&1 || {
    cat "$log" >&2
    echo "error: go build of $mod@$version failed" >&2
    return 1
  }
}

# dashboard-linter v0.2.0 reads Grafana's v2 dashboard resources through
# github.com/grafana/grafana/apps/dashboard at a pseudo-version that the Go module proxy does not
# serve here (403), and v0.1.x is not served at all. obsc renders classic dashboards only, so the
# v2 adapter (lint/v2.go, its one importer) is replaced by a stub that rejects v2 input, and the
# requirement is dropped. Every rule and the classic-model parser are built unchanged.
prepare_dashboard_linter() {
  local src=$1 go=$2
  rm -f "$src/lint/v2_test.go"
  cat >"$src/lint/v2.go" <<'GO'
package lint

// obsc build: the v2 adapter is stubbed out (its dependency is not available to this build).

import (
	"encoding/json"
	"fmt"
	"strings"
)

func isV2APIVersion(apiVersion string) bool {
	v := apiVersion
	if i := strings.LastIndex(v, "/"); i >= 0 {
		v = v[i+1:]
	}
	return strings.HasPrefix(v, "v2")
}

func newDashboardFromV2(_ json.RawMessage, apiVersion string) (Dashboard, error) {
	return Dashboard{}, fmt.Errorf("v2 dashboards (%s) are not supported by this build", apiVersion)
}
GO
  (cd "$src" && GOWORK=off GOTOOLCHAIN=local "$go" mod edit \
    -droprequire=github.com/grafana/grafana/apps/dashboard)
}

# Loki's go.mod replaces its nested module ./pkg/push with a path that is not in the module
# zip; without the replace it resolves to the version go.mod requires (checked by go.sum).
prepare_lokitool() {
  local src=$1 go=$2
  (cd "$src" && GOWORK=off GOTOOLCHAIN=local "$go" mod edit \
    -dropreplace=github.com/grafana/loki/pkg/push)
}

# The Loki server (for `loki -verify-config` on the compose target's loki.yaml): same module,
# same fix.
prepare_loki() {
  prepare_lokitool "$@"
}

# Environment shared by the Go routes: the module cache lives under the tools dir (deleting it
# means a truly cold install); the build cache is per-run scratch, removed on exit.
go_env() {
  work_dir
  GO_ENV=(GOMODCACHE="$TOOLS_DIR/.go/mod" GOCACHE="$WORK/go-build"
    GOFLAGS="-modcacherw -trimpath" GOWORK=off GOTOOLCHAIN=local)
}

# ocb_builder <version>: sets OCB_BIN to ocb (the collector builder) at <version>, installing it
# into <tools>/ocb-<version>/bin/builder if needed (staged, checked, then renamed into place).
ocb_builder() {
  local version=$1 go start=$SECONDS out
  local dir="$TOOLS_DIR/ocb-$version"
  OCB_BIN="$dir/bin/builder"
  if [[ -x $OCB_BIN ]]; then return 0; fi
  go=$(go_bin)
  go_env
  local stage="$TOOLS_DIR/.staging-ocb-$version.$$" log="$WORK/go-ocb.log"
  rm -rf "$stage"
  mkdir -p "$stage/bin"
  (cd "$WORK" && env GOBIN="$stage/bin" "${GO_ENV[@]}" "$go" install "$OCB_PKG@$version") \
    >"$log" 2>&1 || {
    cat "$log" >&2
    echo "error: go install $OCB_PKG@$version failed" >&2
    return 1
  }
  if ! out=$("$stage/bin/builder" version 2>&1) || [[ $out != *"$version"* ]]; then
    printf '%s\n' "$out" >&2
    echo "error: $OCB_PKG@$version does not report version $version" >&2
    return 1
  fi
  rm -rf "$dir"
  mv "$stage" "$dir"
  echo "ocb $version: installed in $((SECONDS - start)) s (go install $OCB_PKG)"
}

# ocb_stamp <log> <message>: epoch seconds of the first ocb log line holding <message>.
ocb_stamp() {
  local line
  line=$(grep -m1 -F "$2" "$1") || return 0
  date -d "${line%%$'\t'*}" +%s 2>/dev/null || true
}

# ocb_phases <log>: how long ocb's module and compile phases took, from its log's timestamps.
ocb_phases() {
  local log=$1 sources compiling compiled
  sources=$(ocb_stamp "$log" 'Sources created')
  compiling=$(ocb_stamp "$log" 'Compiling')
  compiled=$(ocb_stamp "$log" 'Compiled')
  if [[ -n $sources && -n $compiling && -n $compiled ]]; then
    echo "go mod tidy + download $((compiling - sources)) s, compile $((compiled - compiling)) s"
  fi
}

# ocb_build <tool> <version> <stage>: builds <stage>/bin/<tool> with ocb from a copy of the
# tool's manifest whose dist.output_path points at <stage>/src (generated sources, go.mod and
# go.sum are kept there as a record of the resolved dependencies); the manifest itself is kept
# as <stage>/builder.yaml.
ocb_build() {
  local name=$1 version=$2 stage=$3 go manifest phases
  manifest="$SCRIPT_DIR/${OCB_MANIFEST[$name]}"
  ocb_builder "$version"
  go=$(go_bin)
  go_env
  cp "$manifest" "$stage/builder.yaml"
  local config="$WORK/ocb-$name.yaml" log="$WORK/ocb-$name.log"
  sed "s|^  output_path: .*\$|  output_path: \"$stage/src\"|" "$stage/builder.yaml" >"$config"
  if ! grep -qxF "  output_path: \"$stage/src\"" "$config"; then
    echo "error: $manifest has no '  output_path:' line under dist to redirect" >&2
    return 1
  fi
  # ocb finds go on PATH and runs `go mod tidy`, `go mod download` and `go build` in output_path.
  (cd "$WORK" && env PATH="$(dirname "$go"):$PATH" "${GO_ENV[@]}" \
    "$OCB_BIN" --config "$config") >"$log" 2>&1 || {
    cat "$log" >&2
    echo "error: ocb build of $name from $manifest failed" >&2
    return 1
  }
  if [[ ! -x $stage/src/$name ]]; then
    cat "$log" >&2
    echo "error: ocb wrote no $stage/src/$name (dist.name in $manifest must be $name)" >&2
    return 1
  fi
  mv "$stage/src/$name" "$stage/bin/$name"
  phases=$(ocb_phases "$log")
  if [[ -n $phases ]]; then echo "$name $version: $phases"; fi
}

APT_UPDATED=0
# deb_extract <package> <version>: sets DEB_ROOT to the extracted package tree (once per run).
deb_extract() {
  local pkg=$1 version=$2
  work_dir
  DEB_ROOT="$WORK/deb/$pkg=$version"
  if [[ -d $DEB_ROOT ]]; then return 0; fi
  local dl="$WORK/dl/$pkg" log="$WORK/apt-$pkg.log"
  mkdir -p "$dl"
  chmod 755 "$WORK" "$WORK/dl"
  chmod 777 "$dl" # lets apt's _apt user write here (avoids the "unsandboxed" warning as root)
  if ! (cd "$dl" && apt-get download "$pkg=$version") >"$log" 2>&1; then
    if [[ $APT_UPDATED == 0 ]]; then
      APT_UPDATED=1
      echo "apt-get download $pkg=$version failed; running apt-get update once and retrying" >&2
      local sudo=""
      if [[ $EUID -ne 0 ]] && command -v sudo >/dev/null 2>&1; then sudo=sudo; fi
      $sudo apt-get update >>"$log" 2>&1 || true
    fi
    (cd "$dl" && apt-get download "$pkg=$version") >>"$log" 2>&1 || {
      cat "$log" >&2
      echo "error: apt-get download $pkg=$version failed" >&2
      return 1
    }
  fi
  local debs=("$dl"/*.deb)
  mkdir -p "$DEB_ROOT"
  dpkg-deb -x "${debs[0]}" "$DEB_ROOT"
}

# deb_install <tool> <version> <bindir>
deb_install() {
  local name=$1 version=$2 bindir=$3
  local pkg=${DEB_PKG[$name]:-}
  if [[ -z $pkg ]]; then
    echo "error: $name has no Debian package configured" >&2
    return 1
  fi
  deb_extract "$pkg" "$version"
  cp "$DEB_ROOT/usr/bin/$name" "$bindir/$name"
  chmod 755 "$bindir/$name"
}

# verify <tool> <version> <binary>: the binary runs and reports the pinned version.
verify() {
  local name=$1 version=$2 bin=$3 out
  if [[ $name == dashboard-linter ]]; then
    # Built as the main module from a plain copy, the binary has no version to report (and
    # dashboard-linter has no --version flag); go_build_module already checked that the module
    # downloaded is exactly $version. Here: it runs and lists its rules.
    if ! out=$("$bin" rules 2>&1) || [[ -z $out ]]; then
      printf '%s\n' "$out" >&2
      echo "error: $bin does not run" >&2
      return 1
    fi
    return 0
  fi
  case $name in
    cue | lokitool | helm | kustomize) out=$("$bin" version 2>&1) ;;
    kubeconform) out=$("$bin" -v 2>&1) ;;
    *) out=$("$bin" --version 2>&1) ;;
  esac
  local want
  want=$(release_version "$name" "$version")
  if [[ $out != *"$want"* ]]; then
    printf '%s\n' "$out" >&2
    echo "error: $bin does not report version $want" >&2
    return 1
  fi
}

# cached <tool> <dest>: the tool is installed in <dest> (and, for ocb-built tools, was built
# from a manifest byte-identical to the current one).
cached() {
  local name=$1 dest=$2
  if [[ ! -x $dest/bin/$name ]]; then return 1; fi
  if [[ -n ${OCB_MANIFEST[$name]:-} ]]; then
    cmp -s "$dest/builder.yaml" "$SCRIPT_DIR/${OCB_MANIFEST[$name]}" || return 1
  fi
}

# install_tool <tool> <version>: builds (or unpacks) the tool; `set -e` ends it at the first
# failing step (never call it in an `if`/`||` context, where bash turns `set -e` off).
install_tool() {
  local name=$1 version=$2 start=$SECONDS route
  local dest="$TOOLS_DIR/$name-$version"
  if [[ -x $dest/bin/$name ]]; then
    echo "$name $version: built from another manifest than scripts/${OCB_MANIFEST[$name]};" \
      "rebuilding"
  fi
  # Build into a staging dir next to dest and rename, so a failed run never looks "cached".
  local stage="$TOOLS_DIR/.staging-$name-$version.$$"
  rm -rf "$stage"
  mkdir -p "$stage/bin"
  if [[ $version == v* && -n ${OCB_MANIFEST[$name]:-} ]]; then
    route="ocb --config scripts/${OCB_MANIFEST[$name]}"
    ocb_build "$name" "$version" "$stage"
  elif [[ $version == v* && -n ${GO_BUILD_MOD[$name]:-} ]]; then
    route="go mod download + go build"
    go_build_module "$name" "$version" "$stage/bin"
  elif [[ $version == v* ]]; then
    route="go install"
    go_install "$name" "$version" "$stage/bin"
  else
    route="Debian ${DEB_PKG[$name]:-?}"
    deb_install "$name" "$version" "$stage/bin"
  fi
  verify "$name" "$version" "$stage/bin/$name"
  rm -rf "$dest"
  mv "$stage" "$dest"
  echo "$name $version: installed in $((SECONDS - start)) s ($route)"
}

# run_builds <name=version>...: install_tool for each, OBSC_TOOLS_JOBS (default 2) at a time.
# Each build's output goes to its own file, printed whole when the build ends, so parallel
# logs never interleave. After a failure no new build starts; the running ones finish (what
# they install is cached for the next run) and the function returns 1.
run_builds() {
  local jobs=${OBSC_TOOLS_JOBS:-2} failed=0 pid status item limit
  local -A running=()
  if ! [[ $jobs =~ ^[1-9][0-9]*$ ]]; then
    echo "error: OBSC_TOOLS_JOBS must be a positive integer, got '$jobs'" >&2
    return 1
  fi
  # A last, empty item drains the running builds.
  for item in "$@" ""; do
    limit=$jobs
    if [[ -z $item ]] || ((failed)); then limit=1; fi
    while ((${#running[@]} >= limit)); do
      if wait -n -p pid "${!running[@]}"; then status=0; else status=$?; fi
      if ((status == 0)); then
        cat "$WORK/build-${running[$pid]}.log"
      else
        cat "$WORK/build-${running[$pid]}.log" >&2
        echo "error: installing ${running[$pid]} failed (exit $status)" >&2
        failed=1
      fi
      unset "running[$pid]"
    done
    if [[ -z $item ]] || ((failed)); then break; fi
    (install_tool "${item%%=*}" "${item#*=}") >"$WORK/build-${item%%=*}.log" 2>&1 &
    running[$!]=${item%%=*}
  done
  return "$failed"
}

# install_chromium: Debian's Chromium for the report's browser tests (tests/report), installed
# system-wide with apt-get (it needs its shared libraries; not a pin of tools.versions: the
# tests ask for /usr/bin/chromium). Cold install measured at 84 s after an apt-get update.
install_chromium() {
  local sudo="" start=$SECONDS
  if [[ -x /usr/bin/chromium ]]; then
    echo "chromium: installed"
    return 0
  fi
  if [[ $EUID -ne 0 ]] && command -v sudo >/dev/null 2>&1; then sudo=sudo; fi
  if ! $sudo apt-get install -y chromium >"$WORK/chromium.log" 2>&1; then
    $sudo apt-get update >>"$WORK/chromium.log" 2>&1 || true
    $sudo apt-get install -y chromium >>"$WORK/chromium.log" 2>&1 || {
      cat "$WORK/chromium.log" >&2
      echo "error: apt-get install chromium failed" >&2
      return 1
    }
  fi
  echo "chromium: installed in $((SECONDS - start)) s (apt-get install)"
}

main() {
  local lines line name version
  local -a builds=()
  mapfile -t lines <"$VERSIONS_FILE"
  mkdir -p "$TOOLS_DIR"
  work_dir
  for line in "${lines[@]}"; do
    line=${line%%#*}
    line=${line//[[:space:]]/}
    if [[ -z $line ]]; then continue; fi
    if [[ $line != *=* ]]; then
      echo "error: bad line in $VERSIONS_FILE: $line" >&2
      return 1
    fi
    name=${line%%=*}
    version=${line#*=}
    # With arguments, install only the tools named (e.g. `install-tools.sh cue`).
    if (($# > 0)) && [[ " $* " != *" $name "* ]]; then continue; fi
    if cached "$name" "$TOOLS_DIR/$name-$version"; then
      echo "$name $version: cached"
    elif [[ $version == v* ]]; then
      builds+=("$name=$version")
    else
      install_tool "$name" "$version" # Debian packages: quick, and they share one download
    fi
  done
  if (($# == 0)) || [[ " $* " == *" chromium "* ]]; then install_chromium; fi
  run_builds "${builds[@]}"
}

main "$@"
