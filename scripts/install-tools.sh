#!/usr/bin/env bash
# Installs what building and testing need, only when it is missing, so a warm machine pays nothing.
#   scripts/install-tools.sh build   wasm32 target, trunk, wasm-bindgen-cli, wasm-opt (npm binaryen)
#   scripts/install-tools.sh test    the above, plus Chromium and playwright-core for browser tests,
#                                    wrk for the load run, and schemathesis for API fuzzing
#   scripts/install-tools.sh fuzz    schemathesis only (a virtualenv in .venv/)
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# Must equal the wasm-bindgen version in Cargo.lock (web/Cargo.toml pins it with "=").
WASM_BINDGEN_VERSION=0.2.130
# API contract fuzzing (tests/fuzz); from PyPI into .venv/, Python 3.11 or later.
SCHEMATHESIS_VERSION=4.32.5

have_version() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"; }

install_build_tools() {
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    rustup target add wasm32-unknown-unknown
  fi
  # trunk 0.22 needs a newer rustc than the machine's; 0.21.14 is the last that builds here.
  have_version trunk "$TRUNK_VERSION" || cargo install trunk --version "$TRUNK_VERSION" --locked
  # Not --locked: one of its locked dependencies is missing from the registry mirror.
  have_version wasm-bindgen "$WASM_BINDGEN_VERSION" || cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  # wasm-opt from npm's binaryen 132: Debian's 108 produces a WASM that crashes at run time.
  [ -x web/node_modules/.bin/wasm-opt ] || (cd web && npm ci --no-audit --no-fund)
}

install_test_tools() {
  # Chromium for the browser tests, wrk for the load run (tests/harness/load.rs).
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  [ -d tests/e2e/node_modules/playwright-core ] || (cd tests/e2e && npm ci --no-audit --no-fund)
}

install_fuzz_tools() {
  if ! .venv/bin/schemathesis --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
}

case "${1:-build}" in
  build) install_build_tools ;;
  test) install_build_tools; install_test_tools; install_fuzz_tools ;;
  fuzz) install_fuzz_tools ;;
  *) echo "usage: $0 build|test|fuzz" >&2; exit 2 ;;
esac
