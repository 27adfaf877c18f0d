#!/usr/bin/env bash
# A long run of the session core's deterministic simulator (server/src/session/core/sim/).
# Usage: scripts/sim-long.sh [seeds] [first seed] [steps per seed]
#   scripts/sim-long.sh 100000 1000 300
# A failure prints its seed; replay it alone with
#   SIM_SEED=<seed> SIM_STEPS=<steps> cargo test -p werkplaats-server simulated_sessions
set -euo pipefail
cd "$(dirname "$0")/.."
SIM_SEEDS="${1:-50000}" SIM_SEED_BASE="${2:-1000}" SIM_STEPS="${3:-300}" \
  cargo test --release -p werkplaats-server --lib simulated_sessions -- --nocapture
