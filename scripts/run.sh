#!/usr/bin/env bash
# Builds the web client (when Node is there) and runs the server with the embedded SQLite store
# in ./data, serving the client at http://127.0.0.1:8080. Extra arguments go to the server
# (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f web-client/package.json ] && command -v npm >/dev/null; then
  scripts/ensure-node-deps.sh
  npm --prefix web-client run build
fi
exec cargo run --release --locked --bin werkplaats -- "$@"
