#!/usr/bin/env bash
# Rewrites web-client/src/net/generated/protocol.ts from the Rust types in protocol/src (with
# ts-rs; see protocol/src/ts_export.rs). `cargo test -p werkplaats-protocol` fails while the
# committed file differs from what this writes.
set -euo pipefail
cd "$(dirname "$0")/.."
WERKPLAATS_WRITE_GENERATED=1 cargo test --quiet -p werkplaats-protocol --lib ts_export::generated_typescript_is_current
echo "wrote web-client/src/net/generated/protocol.ts"
