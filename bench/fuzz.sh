#!/usr/bin/env bash
# Fuzzes the notes reader and the human renderer (the `fuzz_text` module
# of tests/integration/, a proptest) in release: each of its two
# properties runs CASES cases (default 100000): hostile notes built from
# NUL, invalid and truncated UTF-8, CR, tabs, bidi controls, zero-width
# and wide characters, escape sequences and note pieces; and arbitrary
# bytes. Every finding is rendered
# rustc-style and as GitHub workflow commands. Prints the cases run, the
# failures (a failure stops its property and prints the minimal input) and
# the time.
#
# Usage: bench/fuzz.sh [CASES]      smoke run: bench/fuzz.sh 1000
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-100000}
properties=2
cargo test --release --quiet --test integration --no-run
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s.%N)
status=0
PROPTEST_CASES=$cases cargo test --release --quiet --test integration -- fuzz_text:: --test-threads 2 >"$log" 2>&1 || status=$?
end=$(date +%s.%N)
failed=$(grep -c '^test .* FAILED$' "$log" || true)
grep -A20 'minimal failing input' "$log" || true
awk -v c="$cases" -v p="$properties" -v f="$failed" -v s="$start" -v e="$end" 'BEGIN {
  printf "cases: %d per property x %d properties = %d\n", c, p, c * p
  printf "properties failed (crashes found): %d\n", f
  printf "time: %.1f s (%.0f cases/s)\n", e - s, c * p / (e - s)
}'
exit "$status"
