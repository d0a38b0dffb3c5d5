#!/usr/bin/env bash
# Installs the OPA binary the differential oracle runs against (the version of
# ../shared/conformance/capabilities.json) into a cache directory, once, and prints its path.
# Where Go is missing or the build fails it says why on stderr, prints nothing and exits 0:
# every OPA step then reports `skipped: no opa` instead of failing CI on a missing toolchain.
set -uo pipefail

OPA_VERSION="${KEYGATE_OPA_VERSION:-v1.20.2}"
CACHE_DIR="${KEYGATE_OPA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/keygate/opa/$OPA_VERSION}"
BIN="$CACHE_DIR/opa"

installed_version() {
  "$1" version 2>/dev/null | sed -n 's/^Version: *//p' | head -n 1
}

if [ -x "$BIN" ] && [ "v$(installed_version "$BIN")" = "$OPA_VERSION" ]; then
  echo "$BIN"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install-opa: Go is not installed, so opa $OPA_VERSION cannot be built (skipped: no opa)" >&2
  exit 0
fi

mkdir -p "$CACHE_DIR" || { echo "install-opa: cannot create $CACHE_DIR (skipped: no opa)" >&2; exit 0; }
log="$CACHE_DIR/install.log"
echo "install-opa: building opa $OPA_VERSION into $CACHE_DIR (a few minutes the first time; log: $log)" >&2
if ! GOBIN="$CACHE_DIR" go install "github.com/open-policy-agent/opa@$OPA_VERSION" >"$log" 2>&1; then
  echo "install-opa: 'go install github.com/open-policy-agent/opa@$OPA_VERSION' failed (skipped: no opa):" >&2
  tail -n 20 "$log" >&2
  exit 0
fi
if [ ! -x "$BIN" ] || [ "v$(installed_version "$BIN")" != "$OPA_VERSION" ]; then
  echo "install-opa: the build finished but $BIN is not opa $OPA_VERSION (skipped: no opa)" >&2
  exit 0
fi
echo "$BIN"
