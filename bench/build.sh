#!/usr/bin/env bash
# Times `shownotes build` of one episode (all platforms, the audio walked)
# as a whole process (hyperfine, median): the seed episode 17 with a
# generated one-hour MP3 (44.1 kHz mono, 64 kbps CBR, ~29 MB: the size of
# bench/probe.sh's `mp3-cbr-1h.mp3`) and the Netstack.FM config. Also
# timed: `probe` of the same file (the walk alone) and `build` without the
# audio (the rest). Target (issue 4): under 30 ms.
#
# Needs: cargo, hyperfine, ffmpeg with libmp3lame, python3
# (apt-get install hyperfine ffmpeg).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/shownotes
bin=$(realpath "$bin")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Chapters past one hour are cut: the notes must fit the hour of audio.
python3 - fixtures/netstack/episode-17.md "$work/episode-17.md" <<'PY'
import re, sys
out = []
for line in open(sys.argv[1]):
    m = re.match(r"^(\d\d):(\d\d)(?::(\d\d))? ", line)
    if m and m.group(3) is not None:
        continue
    out.append(line)
open(sys.argv[2], "w").write("".join(out))
PY
cat > "$work/shownotes.toml" <<'TOML'
[show]
title = "Netstack.FM"
episode_url = "https://netstack.fm/#episode-{episode}"
media_base_url = "https://media.example.com/netstack/"
TOML
ffmpeg -v error -y -f lavfi -i "sine=frequency=440:sample_rate=44100" -t 3600 \
  -ac 1 -c:a libmp3lame -b:a 64k "$work/episode-17.mp3"
ls -l "$work/episode-17.mp3" | awk '{print $5, "bytes of MP3"}'

cd "$work"
"$bin" build episode-17.md --audio episode-17.mp3 --out out
hyperfine --warmup 3 --min-runs 30 -N --export-json "$work/build.json" \
  "$bin build --quiet episode-17.md --audio episode-17.mp3 --out out" \
  "$bin probe episode-17.mp3" \
  "$bin build --quiet episode-17.md --platform spotify,apple,youtube --out out2" >/dev/null
python3 - "$work/build.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    cmd = " ".join(w for w in r["command"].split() if not w.startswith("/"))
    print(f"{cmd:<75} median {r['median']*1000:6.2f} ms  min {r['min']*1000:6.2f} ms")
PY
