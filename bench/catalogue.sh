#!/usr/bin/env bash
# Times `shownotes check` over a back catalogue (hyperfine, median, whole
# process, both cores): 1,000 notes files (the five Netstack.FM seed
# episodes in turn, chapters spread over the ten minutes), first notes only,
# then each with its own ten-minute MP3 named in the front matter (one
# file generated once with ffmpeg/LAME, hard-linked per episode), every
# packet walked. Every platform is rendered and checked (the show config
# gives `media_base_url`, so the RSS item too). Targets (issue 11): under
# 1 s for the notes, under 5 s with the audio, on the 2-core project
# machine.
#
# Usage: bench/catalogue.sh                 # 1,000 files, 600 s of audio
#        BENCH_SMOKE=1 bench/catalogue.sh   # 50 files, 2 runs
#        BENCH_FILES=200 BENCH_SECONDS=60 bench/catalogue.sh
# Needs: cargo, hyperfine, ffmpeg with libmp3lame, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n ${BENCH_SMOKE:-} ]]; then
  files=${BENCH_FILES:-50} seconds=${BENCH_SECONDS:-600} runs=2 warmup=0
else
  files=${BENCH_FILES:-1000} seconds=${BENCH_SECONDS:-600} runs=5 warmup=1
fi
cargo build --release --quiet
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/shownotes")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/notes" "$work/audio"

# One MP3 of `seconds` (44.1 kHz mono, 64 kbps CBR), linked per episode.
ffmpeg -v error -y -f lavfi -i "sine=frequency=440:sample_rate=44100" -t "$seconds" \
  -ac 1 -c:a libmp3lame -b:a 64k "$work/one.mp3"

python3 - "$work" "$files" "$seconds" fixtures/netstack/episode-{11,12,13,14,17}.md <<'PY'
import os, re, sys
work, files, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seeds = [open(p).read() for p in sys.argv[4:]]
stamp = re.compile(r"^(?:(\d+):)?(\d\d):(\d\d) ", re.M)
def scaled(text):
    # The chapters evenly spaced in the audio, the last a minute before
    # its end (every chapter over YouTube's 10 s).
    count = len(stamp.findall(text))
    step = (seconds - 60) // count
    k = iter(range(count))
    def repl(m):
        s = next(k) * step
        return f"{s // 60:02}:{s % 60:02} "
    return stamp.sub(repl, text)
def numbered(text, n, audio):
    # YAML (`---`) or TOML (`+++`) front matter: the episode number, and
    # the audio file when there is one.
    fence = text[:3]
    sep = ": " if fence == "---" else " = "
    head, body = text[4:].split(f"\n{fence}\n", 1)
    head = re.sub(r"^episode\s*[:=]\s*\d+", f"episode{sep}{n}", head, flags=re.M)
    if audio:
        head += f"\naudio{sep}\"ep-{n:04}.mp3\""
    return f"{fence}\n{head}\n{fence}\n{body}"
seeds = [scaled(s) for s in seeds]
for n in range(files):
    seed = seeds[n % len(seeds)]
    with open(f"{work}/notes/ep-{n:04}.md", "w") as f:
        f.write(numbered(seed, n, False))
    with open(f"{work}/audio/ep-{n:04}.md", "w") as f:
        f.write(numbered(seed, n, True))
    os.link(f"{work}/one.mp3", f"{work}/audio/ep-{n:04}.mp3")
config = """[show]
title = "Netstack.FM"
episode_url = "https://netstack.fm/#episode-{episode}"
media_base_url = "https://media.example.com/netstack/"
"""
for d in ("notes", "audio"):
    open(f"{work}/{d}/shownotes.toml", "w").write(config)
PY

echo "catalogue: $files notes files; audio: $seconds s MP3 ($(stat -c %s "$work/one.mp3") bytes), hard-linked per file"
for d in notes audio; do
  # The catalogue must be clean: a finding here would be a benchmark of
  # the report, not of the check.
  (cd "$work/$d" && "$bin" check --quiet .) || { echo "catalogue $d is not clean" >&2; exit 1; }
done
hyperfine -N --style basic --warmup "$warmup" --runs "$runs" \
  --export-json "$work/times.json" \
  -n notes "$bin check --quiet $work/notes" \
  -n notes+audio "$bin check --quiet $work/audio"
python3 - "$work/times.json" "$files" "$seconds" <<'PY'
import json, sys
files, seconds = int(sys.argv[2]), int(sys.argv[3])
for r in json.load(open(sys.argv[1]))["results"]:
    target = {"notes": 1.0, "notes+audio": 5.0}[r["command"]]
    full = files == 1000 and seconds == 600
    verdict = ("under" if r["median"] < target else "OVER") + f" the {target:g} s target" if full else "(smoke: no target)"
    print(f"{r['command']:>12}: median {r['median']:.3f} s, min {r['min']:.3f} s, "
          f"{r['median'] / files * 1000:.2f} ms per file — {verdict}")
PY
