#!/usr/bin/env bash
# Times `shownotes check` as a whole process (hyperfine, median of many runs):
# on a generated 1 MB notes file (a long episode: summary, links, chapters),
# on a 1 MB flattened file (line breaks lost), and on each seed episode.
# Targets (issue 2): under 50 ms for 1 MB, under 5 ms per seed episode.
#
# Needs: cargo, hyperfine and python3 (apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/shownotes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import sys, random
random.seed(7)
out = sys.argv[1]
words = "quic http proxy rust tokio latency congestion packet stream socket kernel driver".split()
def sentence():
    return " ".join(random.choice(words) for _ in range(14)).capitalize() + "."
parts = ["+++", 'title = "A very long episode"', "episode = 99", "date = 2025-12-09", "+++",
         "episode 99 — A very long episode.", ""]
n = 0
while sum(len(p) + 1 for p in parts) < 600_000:
    parts += [" ".join(sentence() for _ in range(6)), ""]
parts.append("Learn more:")
i = 0
while sum(len(p) + 1 for p in parts) < 800_000:
    # One link in fifty carries a tracking parameter (a finding to render).
    q = f"?utm_source=feed&id={i}" if i % 50 == 0 else f"?id={i}"
    parts.append(f"https://example.com/p/{i}{q} — Resource number {i} about {random.choice(words)}")
    i += 1
parts += ["", "Chapters"]
t = 0
while sum(len(p) + 1 for p in parts) < 1_000_000:
    parts.append(f"{t // 3600:02}:{t // 60 % 60:02}:{t % 60:02} Chapter {t // 30} on {random.choice(words)} and {random.choice(words)}")
    t += 30
parts += ["", "Netstack.FM", "More information: https://netstack.fm/#episode-99"]
text = "\n".join(parts) + "\n"
open(f"{out}/long.md", "w").write(text)
# The same episode flattened: every line break lost.
open(f"{out}/long.flat.txt", "w").write(text.split("+++\n", 2)[2].replace("\n", "") + "\n")
PY
ls -l "$work"/long.md "$work"/long.flat.txt | awk '{print $5, $9}'

cmds=(
  "$bin check --quiet $work/long.md"
  "$bin check --quiet $work/long.flat.txt"
)
for n in 11 12 13 14 17; do
  cmds+=("$bin check --quiet fixtures/netstack/episode-$n.md")
  cmds+=("$bin check --quiet fixtures/netstack/episode-$n.flat.txt")
done
cmds+=("$bin check --quiet fixtures/netstack")

hyperfine --warmup 3 --min-runs 20 -N -i --export-json "$work/check.json" "${cmds[@]}" >/dev/null
python3 - "$work/check.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(f"{'command':<70} {'median':>9} {'min':>9}")
for x in r:
    cmd = x["command"].replace("target/release/", "").split("/tmp/")[0]
    name = x["command"].split()[-1].split("/")[-1]
    print(f"{'check ' + name:<70} {x['median']*1000:>7.2f}ms {x['min']*1000:>7.2f}ms")
PY
