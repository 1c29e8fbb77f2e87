#!/usr/bin/env bash
# Benchmarks `shownotes probe` against ffprobe and the `cat` floor on long
# files generated at run time, with each tool's duration error against the
# truth (the generated sample count). Prints a Markdown table (the one in
# bench/README.md) and leaves the raw hyperfine JSON in the work folder.
#
# Needs: cargo, ffmpeg, ffprobe, lame, hyperfine, python3, GNU time
#   (Debian: apt-get install ffmpeg lame hyperfine python3 time).
#
# Environment:
#   BENCH_HOURS   lengths of the MP3 files, in hours (default "1 2")
#   BENCH_DIR     work folder (default: a new temp folder, removed at the end
#                 unless BENCH_KEEP=1); files already there are reused
#   BENCH_UNIT    seconds in an "hour" (default 3600; e.g. 60 for a smoke test)
#   CARGO_TARGET_DIR  honoured for the release build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
hours=${BENCH_HOURS:-"1 2"}
unit=${BENCH_UNIT:-3600}
if [[ -n ${BENCH_DIR:-} ]]; then
    work=$BENCH_DIR
    mkdir -p "$work"
else
    work=$(mktemp -d)
    [[ ${BENCH_KEEP:-0} == 1 ]] || trap 'rm -rf "$work"' EXIT
fi
for tool in ffmpeg ffprobe lame hyperfine python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench: \`$tool\` is missing" >&2; exit 2; }
done

(cd "$root" && cargo build --release --quiet)
bin=${CARGO_TARGET_DIR:-$root/target}/release/shownotes
rate=44100

# The source: mono 44.1 kHz pink noise over a 220 Hz tone, its loudness
# swinging slowly like speech, starting quiet (so a VBR file's first frames,
# all a Xing-less header estimate sees, are smaller than the average).
source_wav() { # seconds
    local n=$(( $1 * rate ))
    ffmpeg -v error -f lavfi -i "anoisesrc=d=$(( $1 + 1 )):c=pink:r=$rate:a=0.3:seed=1" \
        -f lavfi -i "sine=f=220:r=$rate:d=$(( $1 + 1 ))" \
        -filter_complex "[0]volume='0.15+0.85*abs(sin(t/23))':eval=frame[n];[n][1]amix=inputs=2:normalize=0,atrim=end_sample=$n" \
        -ac 1 -f wav -
}
gen() { # file seconds encoder...
    local f=$work/$1 s=$2
    shift 2
    [[ -s $f ]] && return
    echo "bench: making $(basename "$f")" >&2
    source_wav "$s" | "$@" "$f.part"
    mv "$f.part" "$f"
}
lame_to() { lame --quiet "${@:1:$#-1}" - "${@: -1}"; }
ff_to() { ffmpeg -v error -i - "${@:1:$#-1}" -f "${fmt}" "${@: -1}"; }

files=()
for h in $hours; do
    s=$(( h * unit ))
    gen "mp3-vbr-noxing-${h}h.mp3" "$s" lame_to -t -V 7 --resample 44.1
    gen "mp3-vbr-xing-${h}h.mp3" "$s" lame_to -V 7 --resample 44.1
    gen "mp3-cbr-${h}h.mp3" "$s" lame_to -b 64 --cbr --resample 44.1
    files+=("mp3-vbr-noxing-${h}h.mp3:$s" "mp3-vbr-xing-${h}h.mp3:$s" "mp3-cbr-${h}h.mp3:$s")
done
fmt=ipod gen aac-1h.m4a "$unit" ff_to -c:a aac -b:a 64k
fmt=flac gen flac-1h.flac "$unit" ff_to -c:a flac
files+=("aac-1h.m4a:$unit" "flac-1h.flac:$unit")

results=$work/results.jsonl
: > "$results"
for entry in "${files[@]}"; do
    name=${entry%%:*} secs=${entry##*:} f=$work/${entry%%:*}
    cmds=(
        "$bin probe $f"
        "$bin probe --fast $f"
        "ffprobe -v error -show_entries format=duration $f"
        "ffprobe -v error -count_packets -show_entries stream=nb_read_packets $f"
        "cat $f"
    )
    echo "bench: timing $name" >&2
    hyperfine -N --style none --warmup 2 --min-runs 5 --output=null \
        --export-json "$work/$name.json" "${cmds[@]}" >/dev/null
    # One more run of each for its answer and its peak memory (KiB).
    walk=$("$bin" probe --format json "$f" 2>/dev/null)
    fast=$("$bin" probe --fast --format json "$f" 2>/dev/null)
    ffd=$(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$f")
    pkts=$(ffprobe -v error -count_packets -select_streams a:0 \
        -show_entries stream=nb_read_packets -of default=nw=1:nk=1 "$f")
    mem=()
    for c in "${cmds[@]}"; do
        /usr/bin/time -f %M -o "$work/mem" $c >/dev/null 2>&1
        mem+=("$(tail -1 "$work/mem")")
    done
    python3 - "$name" "$secs" "$work/$name.json" "$walk" "$fast" "$ffd" "$pkts" \
        "$(stat -c %s "$f")" "${mem[@]}" >>"$results" <<'PY'
import json, sys
name, secs, hf, walk, fast, ffd, pkts, size, *mem = sys.argv[1:]
truth = int(secs) * 1000
runs = json.load(open(hf))["results"]
med = [r["median"] * 1000 for r in runs]
# Samples per packet, to turn ffprobe's packet count into a length.
frame = {"mp3": 1152, "m4a": 1024}.get(name.rsplit(".", 1)[1])
errs = [
    json.loads(walk)[0]["duration_ms"] - truth,
    json.loads(fast)[0]["duration_ms"] - truth,
    round(float(ffd) * 1000) - truth,
    round(int(pkts) * frame * 1000 / 44100) - truth if frame else None,
    None,
]
print(json.dumps({"file": name, "bytes": int(size), "median_ms": med,
                  "error_ms": errs, "peak_kib": [int(m) for m in mem]}))
PY
done

python3 - "$results" "$(nproc)" <<'PY'
import json, sys
tools = ["`shownotes probe`", "`shownotes probe --fast`", "`ffprobe format=duration`",
         "`ffprobe -count_packets`", "`cat` (floor)"]
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| file | size | tool | median | × ffprobe | × cat | error vs truth | peak RSS |")
print("|---|---:|---|---:|---:|---:|---:|---:|")
def err(e):
    if e is None: return "—"
    if abs(e) >= 60_000: return f"{e/1000:+.1f} s"
    return f"{e:+d} ms"
for r in rows:
    ffp, cat = r["median_ms"][2], r["median_ms"][4]
    for i, t in enumerate(tools):
        m = r["median_ms"][i]
        first = f"`{r['file']}`" if i == 0 else ""
        size = f"{r['bytes']/1e6:.1f} MB" if i == 0 else ""
        print(f"| {first} | {size} | {t} | {m:.1f} ms | {m/ffp:.2f} | {m/cat:.1f} "
              f"| {err(r['error_ms'][i])} | {r['peak_kib'][i]/1024:.1f} MiB |")
PY
