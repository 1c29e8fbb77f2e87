#!/usr/bin/env bash
# Scaling of parsing and rendering (issue 8, defect 4): for each input
# family that once took quadratic time, times `shownotes check` (or
# `build`) on generated inputs of growing size and prints the CPU time
# (user + system; the machine may be shared) per MB.
# A linear implementation gives a flat column; the targets are flat within
# 2x across sizes and under 0.2 s per MB.
#
#   bench/scaling.sh                      # 1, 2, 4 and 8 MB (a few minutes)
#   SIZES="0.1 0.2" bench/scaling.sh      # smoke test
#   FAMILIES="http-space data-colon" bench/scaling.sh
#   TIMEOUT=30 bench/scaling.sh           # give up on one run after 30 s
#   BIN=/old/shownotes bench/scaling.sh   # time another build (no cargo)
#
# Needs: cargo and python3. Exit status 1 when a family misses a target.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n ${BIN:-} ]]; then
  bin=$(realpath "$BIN")
else
  cargo build --release --quiet
  bin=$PWD/target/release/shownotes
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

SIZES=${SIZES:-"1 2 4 8"} FAMILIES=${FAMILIES:-} TIMEOUT=${TIMEOUT:-120} \
python3 - "$bin" "$work" <<'PY'
import os, resource, subprocess, sys, tempfile

bin, work = sys.argv[1], sys.argv[2]
sizes = [float(s) for s in os.environ["SIZES"].split()]
only = os.environ["FAMILIES"].split()
timeout = float(os.environ["TIMEOUT"])
MB = 1_000_000


def fill(unit, n, head="", tail="\n"):
    """`head`, then `unit(i)` for i = 0, 1, ... until `n` bytes, then `tail`."""
    parts, size, i = [head], len(head), 0
    while size < n:
        u = unit(i)
        parts.append(u)
        size += len(u.encode())
        i += 1
    parts.append(tail)
    return "".join(parts)


CHAPTERS = "\nChapters\n00:00 Intro\n00:30 Middle\n01:00 End\n"

# name -> (command, generator(n bytes) -> text). Every family is one file.
FAMILIES = {
    # One line of `http:// ` (each an invalid link).
    "http-space": ("check", lambda n: fill(lambda i: "http:// ", n)),
    # One line of `data:` (each an unsafe scheme running to the line's end).
    "data-colon": ("check", lambda n: fill(lambda i: "data:", n)),
    # Valid URLs on one line.
    "urls-one-line": ("check", lambda n: fill(
        lambda i: f"https://example.com/p/{i} ", n, "See ", "\n" + CHAPTERS)),
    # Plain-http URLs on one line: a finding each (columns on a long line).
    "insecure-one-line": ("check", lambda n: fill(
        lambda i: f"http://example.com/p/{i} ", n, "See ", "\n" + CHAPTERS)),
    # Glued URLs that linkify misses (`3http://`), with no space at all.
    "glued-http": ("check", lambda n: fill(lambda i: f"{i % 10}http://_", n)),
    # Markdown links on one line.
    "md-links-one-line": ("check", lambda n: fill(
        lambda i: f"[link {i}](https://example.com/{i}) ", n, "See ", "\n" + CHAPTERS)),
    # TOML front matter with many (unknown) keys.
    "fm-keys-toml": ("check", lambda n: fill(
        lambda i: f"key{i} = {i}\n", n, "+++\n", "+++\nSummary.\n" + CHAPTERS)),
    # YAML front matter with many (unknown) keys.
    "fm-keys-yaml": ("check", lambda n: fill(
        lambda i: f"key{i}: {i}\n", n, "---\n", "---\nSummary.\n" + CHAPTERS)),
    # Many lines, each with a link in running text.
    "link-lines-check": ("check", lambda n: fill(
        lambda i: f"Line {i} points to https://example.com/p/{i} for more.\n", n,
        "Summary.\n\n", CHAPTERS)),
    "link-lines-build": ("build", lambda n: fill(
        lambda i: f"Line {i} points to https://example.com/p/{i} for more.\n", n,
        "Summary.\n\n", CHAPTERS)),
    # Many link lists of one item each.
    "link-lists-build": ("build", lambda n: fill(
        lambda i: f"Links:\nhttps://example.com/p/{i} — item {i}\n\n", n,
        "Summary.\n\n", CHAPTERS)),
    # Many lines with a link and a `>` (the forbidden-character lookup).
    "angle-lines-build": ("build", lambda n: fill(
        lambda i: f"a > b, see https://example.com/p/{i}\n", n,
        "Summary.\n\n", CHAPTERS)),
    # One flattened line: link lists glued to their links and sentences.
    "flattened-lists": ("check", lambda n: fill(
        lambda i: f"Links:https://example.com/{i} — Item {i}.Next one", n,
        "Summary.", "\n" + CHAPTERS)),
    # Many chapters.
    "chapters": ("check", lambda n: fill(
        lambda i: f"{i // 120:02}:{i // 2 % 60:02}:{i % 2 * 30:02} Chapter {i}\n", n,
        "Summary.\n\nChapters\n")),
}


def run(cmd, path):
    out = os.path.join(tempfile.mkdtemp(dir=work), "out")
    args = [bin, cmd, path, "--color", "never"]
    if cmd == "build":
        args += ["--out", out, "--platform", "spotify,apple,youtube"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=timeout, cwd=work)
    except subprocess.TimeoutExpired:
        return None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time (user + system): the machine may be shared, and a process
    # waiting for a core is not slower code.
    dt = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode not in (0, 1) or b"panicked" in p.stderr:
        sys.exit(f"{cmd} {path}: exit {p.returncode}\n{p.stderr.decode(errors='replace')[-2000:]}")
    return dt


def timed(cmd, path, runs=3):
    """Best of up to `runs` runs (one when a run takes over a second)."""
    best = None
    for _ in range(runs):
        t = run(cmd, path)
        if t is None:
            return None
        best = t if best is None else min(best, t)
        if t > 1:
            break
    return best


missed = []
print("each cell: CPU seconds of the run, then (that - the same at 1 KB) / size in MB")
print(f"{'family':<20} {'cmd':<6} {'1 KB':>7}" + "".join(f" {f'{s:g} MB':>17}" for s in sizes) + "  growth")
for name, (cmd, gen) in FAMILIES.items():
    if only and name not in only:
        continue
    per_mb, cells = [], []
    # The cost of the process itself (start, config, templates, writing):
    # the same family at 1 KB, subtracted so that small sizes are fair.
    path = os.path.join(work, f"{name}.md")
    with open(path, "w") as f:
        f.write(gen(1000))
    base = timed(cmd, path, 5) or 0.0
    for s in sizes:
        path = os.path.join(work, f"{name}.md")
        with open(path, "w") as f:
            f.write(gen(int(s * MB)))
        t = timed(cmd, path)
        if t is None:
            cells.append(f"{'>' + format(timeout, 'g') + ' s':>17}")
            per_mb.append(float("inf"))
            continue
        per_mb.append(max(t - base, 0.001 * s) / s)
        cells.append(f"{t:7.3f}s {per_mb[-1]:5.3f}/MB")
    # Growth: the largest factor by which the time per MB rises from one
    # size to a larger one (a drop is an early refusal, not a slowdown).
    # Below 10 ms per MB, differences are timer noise: floor there.
    floored = [max(p, 0.01) for p in per_mb]
    ratio = max(floored[j] / floored[i]
                for i in range(len(floored)) for j in range(i, len(floored)))
    bad = ratio > 2 or max(per_mb) > 0.2
    if bad:
        missed.append(name)
    print(f"{name:<20} {cmd:<6} {base:6.3f}s" + "".join(f" {c:>17}" for c in cells)
          + f"   {ratio:5.2f}{'  MISSED' if bad else ''}")
print("targets: time per MB flat within 2x (growth: the most it rises from a size")
print("to a larger one, floored at 0.01 s/MB), under 0.2 s per MB")
if missed:
    print("missed: " + ", ".join(missed))
    sys.exit(1)
PY
