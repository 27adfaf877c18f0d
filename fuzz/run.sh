#!/usr/bin/env bash
# Runs one fuzz target: fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
# The committed seeds (fuzz/seeds/TARGET) are copied into the working corpus (fuzz/corpus/TARGET,
# ignored by git), so what the fuzzer grows never shows up as a change. Crashes land in
# fuzz/artifacts/TARGET (ignored too). Needs cargo-fuzz; RUSTC_BOOTSTRAP=1 lets the stable
# toolchain take the nightly flags it passes.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]}
seconds=${2:-600}
shift $(( $# < 2 ? $# : 2 ))
# Templates may be 64 KiB (the cap); frames and updates are fuzzed at libFuzzer's default 4 KiB.
max_len=4096
[ "$target" = template_parser ] && max_len=65536
mkdir -p "fuzz/corpus/$target"
cp -n "fuzz/seeds/$target"/* "fuzz/corpus/$target/"
RUSTC_BOOTSTRAP=1 exec nice -n 10 cargo fuzz run -O "$target" "fuzz/corpus/$target" -- \
  -max_total_time="$seconds" -jobs=1 -workers=1 -max_len="$max_len" -rss_limit_mb=2048 \
  -print_final_stats=1 "$@"
