#!/usr/bin/env bash
# `check --online` at scale: 2,000 distinct links over 100 loopback
# addresses (127.0.0.1 to 127.0.0.100), each answering after 50 ms, with
# `max_per_host = 2`; prints the wall time and the peak memory
# (/usr/bin/time -v) of one run of the release binary.
# Targets (issue 13): under 10 s, under 50 MB.
#
#   bench/online.sh           # the full run
#   bench/online.sh --smoke   # 200 links, to see that it works
#
# The server is the integration tests' (tests/integration/online.rs,
# `scale_bench`). Needs: cargo, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
links=2000
if [[ "${1:-}" == "--smoke" ]]; then links=200; fi
cargo build --release --quiet
SHOWNOTES_BENCH_BIN="$PWD/target/release/shownotes" SHOWNOTES_BENCH_LINKS=$links \
  cargo test --quiet --test integration online::scale_bench -- --ignored --nocapture 2>&1 \
  | grep -E '^(links|requests|wall|peak)'
