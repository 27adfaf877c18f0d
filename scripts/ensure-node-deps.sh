#!/usr/bin/env bash
# Installs the web client's npm packages (exact versions from package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/../web-client"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
