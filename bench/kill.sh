#!/usr/bin/env bash
# Interrupted writes (issue 8, defect 7): SIGKILLs `shownotes embed
# --in-place` and `shownotes build` at random moments, then runs each once
# more normally, and counts what a user would find:
#
# - temporary files or folders (`.shownotes-tmp-*`, `.shownotes-commit-*`)
#   left after the next normal run (target 0), and the most ever seen
#   between kills (each run removes those of dead runs: at most 1);
# - torn build sets: builds alternate between two notes files whose title
#   and chapter titles differ (version A, version B), and a set is torn
#   when its files do not all come from one version. Checked after every
#   kill and after the next run (target 0). Builds go into a folder of
#   their own (swapped in whole) and into a folder shared with other files
#   (moved in file by file after a commit point, finished by the next run).
# - the MP3 after the kills: it must still probe and carry the chapters.
#
# KILLS=500 embed kills and BUILD_KILLS=200 build kills by default (a few
# minutes); smoke mode: `KILLS=20 bench/kill.sh` (build kills default to
# KILLS/2.5). Needs cargo, ffmpeg with libmp3lame, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${KILLS:-500}
BUILD_KILLS=${BUILD_KILLS:-$((KILLS * 2 / 5))}
cargo build --release --quiet
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/shownotes")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 30 minutes of 64 kbps mono: ~14 MB, so a kill often lands in the copy.
ffmpeg -v error -y -f lavfi -i "sine=frequency=440:sample_rate=44100" -t 1800 \
  -ac 1 -c:a libmp3lame -b:a 64k "$work/ep.mp3"
ffmpeg -v error -y -f lavfi -i "sine=frequency=440:sample_rate=44100" -t 120 \
  -ac 1 -c:a libmp3lame -b:a 64k "$work/short.mp3"
cat > "$work/shownotes.toml" <<'TOML'
[show]
title = "Kill bench"
media_base_url = "https://media.example.com/"
TOML
for v in A B; do
  cat > "$work/$v.md" <<EOF
+++
title = "Version $v"
date = 2025-01-02
guid = "kill-bench-$v"
audio = "short.mp3"
+++
Summary of version $v.

Chapters
00:00 Intro $v
00:30 Middle $v
01:10 End $v
EOF
done
cp "$work/A.md" "$work/chapters.md"

python3 - "$bin" "$work" "$KILLS" "$BUILD_KILLS" <<'PY'
import os, random, signal, subprocess, sys, time

bin, work, kills, build_kills = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
random.seed(8)
os.chdir(work)

def temps(folder):
    return [n for n in os.listdir(folder)
            if n.startswith(".shownotes-tmp-") or n.startswith(".shownotes-commit-")]

def timed(args):
    t = time.monotonic()
    subprocess.run(args, check=True, stderr=subprocess.DEVNULL)
    return time.monotonic() - t

def kill_at_random(args, span):
    p = subprocess.Popen(args, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    time.sleep(random.uniform(0, span))
    finished = p.poll() is not None
    if not finished:
        p.send_signal(signal.SIGKILL)
    p.wait()
    return not finished

# --- embed --in-place
embed = [bin, "embed", "ep.mp3", "--chapters", "chapters.md", "--in-place", "--quiet"]
span = timed(embed) * 1.1
killed, most = 0, 0
for _ in range(kills):
    killed += kill_at_random(embed, span)
    most = max(most, len(temps(".")))
subprocess.run(embed, check=True)
left = temps(".")
probe = subprocess.run([bin, "chapters", "ep.mp3", "--to", "youtube"],
                       capture_output=True, text=True)
mp3_ok = probe.returncode == 0 and "Middle A" in probe.stdout
print(f"embed --in-place: {kills} runs ({killed} killed mid-run, one run {span/1.1*1000:.0f} ms), "
      f"most temp files seen between kills: {most}, "
      f"left after the next run: {len(left)}, MP3 intact with chapters: {mp3_ok}")

# --- build
def version_of(out):
    """'A', 'B', None (no set yet) or 'torn'."""
    if not os.path.isdir(out):
        return None
    seen = set()
    for n in os.listdir(out):
        if n not in ("youtube.txt", "spotify.html", "apple.html", "rss-item.xml", "chapters.json"):
            continue
        text = open(os.path.join(out, n), encoding="utf-8").read()
        a, b = "Intro A" in text, "Intro B" in text
        if a == b:
            return "torn"
        seen.add("A" if a else "B")
    if len(seen) > 1:
        return "torn"
    return seen.pop() if seen else None

def build_phase(name, out, setup=None):
    if setup:
        setup()
    args = lambda v: [bin, "build", f"{v}.md", "--out", out, "--quiet"]
    span = timed(args("A")) * 1.1
    killed, torn_between, most = 0, 0, 0
    folder = os.path.dirname(os.path.abspath(out))
    for i in range(build_kills):
        killed += kill_at_random(args("AB"[i % 2]), span)
        torn_between += version_of(out) == "torn"
        most = max(most, len(temps(folder)) + len(temps(out)))
    subprocess.run(args("B"), check=True)
    after = version_of(out)
    left = len(temps(folder)) + len(temps(out))
    # Concurrent builds into one folder: 20 rounds of three at once.
    torn_conc = 0
    for _ in range(20):
        ps = [subprocess.Popen(args(v), stderr=subprocess.DEVNULL) for v in "ABA"]
        codes = [p.wait() for p in ps]
        assert codes == [0, 0, 0], codes
        torn_conc += version_of(out) == "torn"
    print(f"build ({name}): {build_kills} runs ({killed} killed mid-run, one run {span/1.1*1000:.0f} ms), "
          f"torn sets seen between kills: {torn_between}, torn after the next run: {int(after != 'B')}, "
          f"most temp entries seen: {most}, left after the next run: {left}, "
          f"torn after 20x3 concurrent builds: {torn_conc}")

build_phase("own folder, swapped whole", "out")

def shared():
    os.makedirs("shared", exist_ok=True)
    with open("shared/README.txt", "w") as f:
        f.write("not shownotes' file\n")

build_phase("folder shared with other files", "shared", shared)
assert open("shared/README.txt").read() == "not shownotes' file\n"
PY
