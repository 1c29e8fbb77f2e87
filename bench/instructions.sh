#!/usr/bin/env bash
# Deterministic figures for `shownotes check` on the 1 MB inputs of
# bench/check.sh and one seed episode: instructions executed (valgrind's
# callgrind, every thread), minor page faults and peak RSS (GNU time).
# Wall time on a shared or virtual machine swings two- or threefold from
# run to run; these do not, so they show what a change did.
#
# Needs: cargo, python3, valgrind, GNU time (apt-get install valgrind time).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/shownotes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/long_notes.py "$work"
printf '%-28s %14s %12s %12s\n' input instructions "minor faults" "max RSS"
for f in "$work/long.md" "$work/long.rich.md" "$work/long.html" "$work/long.flat.txt" \
  fixtures/netstack/episode-11.md; do
  # `check` exits 1 on these files (their descriptions are too long).
  ir=$({ valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
    "$bin" check --quiet "$f" 2>&1 >/dev/null || true; } | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
  read -r flt rss < <(/usr/bin/time -f '%R %M' "$bin" check --quiet "$f" 2>&1 >/dev/null | tail -1)
  awk -v n="$(basename "$f")" -v ir="$ir" -v flt="$flt" -v rss="$rss" \
    'BEGIN { printf "%-28s %13.1fM %12d %9.1f MB\n", n, ir / 1e6, flt, rss / 1024 }'
done
