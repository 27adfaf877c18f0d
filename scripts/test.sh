#!/usr/bin/env bash
# Every test of the project, from a fresh clone: formatting, lints, Rust tests, the Node interop
# test with the real yjs/y-websocket packages, and the browser tests in headless Chromium.
# Installs what it needs (npm packages, Debian's chromium) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== generated TypeScript is current (else: scripts/gen-ts.sh)"
cargo test --quiet --locked -p werkplaats-protocol --lib ts_export

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked

if [ -f web-client/package.json ]; then
  echo "== web client: install, type-check, build"
  scripts/ensure-node-deps.sh
  npm --prefix web-client run check
  npm --prefix web-client run build
fi

if [ -d tests/node ]; then
  echo "== node interop tests (yjs + y-websocket against the real server)"
  cargo build --release --locked --bin werkplaats
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
  node --test tests/node/
fi

if [ -d tests/browser ]; then
  echo "== browser tests (headless Chromium)"
  scripts/ensure-chromium.sh
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  node --test --test-concurrency=1 tests/browser/
fi
