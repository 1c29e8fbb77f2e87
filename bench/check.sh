#!/usr/bin/env bash
# Times `shownotes check` as a whole process (hyperfine, median of many runs):
# on a generated 1 MB notes file (a long episode: summary, links, chapters),
# on a 1 MB flattened file (line breaks lost), on 1 MB of rich Markdown
# (emphasis, nested lists, reference links, code spans, inline HTML,
# chapters as stamp links) and 1 MB of HTML notes (a host's description),
# and on each seed episode.
# Targets: under 50 ms for 1 MB of Markdown, under 80 ms for 1 MB of HTML,
# under 5 ms per seed episode.
#
# `bench/check.sh --smoke` runs each command a few times only (a check that
# the script works, not a measurement).
#
# Needs: cargo, hyperfine and python3 (apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/shownotes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=(--warmup 3 --min-runs 20)
if [[ "${1:-}" == "--smoke" ]]; then
  runs=(--warmup 1 --runs 3)
fi

python3 bench/long_notes.py "$work"
ls -l "$work"/long.md "$work"/long.flat.txt "$work"/long.rich.md "$work"/long.html | awk '{print $5, $9}'

cmds=(
  "$bin check --quiet $work/long.md"
  "$bin check --quiet $work/long.flat.txt"
  "$bin check --quiet $work/long.rich.md"
  "$bin check --quiet $work/long.html"
)
for n in 11 12 13 14 17; do
  cmds+=("$bin check --quiet fixtures/netstack/episode-$n.md")
  cmds+=("$bin check --quiet fixtures/netstack/episode-$n.flat.txt")
done
cmds+=("$bin check --quiet fixtures/netstack")

hyperfine "${runs[@]}" -N -i --export-json "$work/check.json" "${cmds[@]}" >/dev/null
python3 - "$work/check.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(f"{'command':<70} {'median':>9} {'min':>9}")
for x in r:
    cmd = x["command"].replace("target/release/", "").split("/tmp/")[0]
    name = x["command"].split()[-1].split("/")[-1]
    print(f"{'check ' + name:<70} {x['median']*1000:>7.2f}ms {x['min']*1000:>7.2f}ms")
PY
