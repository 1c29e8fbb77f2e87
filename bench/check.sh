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

# 1 MB of Markdown as static-site generators write it.
md = ["---", "title: A very long episode", "episode: 99", "date: 2025-12-09", "---", "",
      "# A very long episode", ""]
i = 0
def size(parts):
    return sum(len(p) + 1 for p in parts)
while size(md) < 500_000:
    w = random.choice(words)
    md += [f"We talk about **{w}**, _{random.choice(words)}_ and `{w}_{i}()` with [a guest][g{i}]. "
           + sentence() + f" See <https://example.com/auto/{i}> and <b>inline</b> HTML.", "",
           f"[g{i}]: https://example.com/guest/{i} \"Guest {i}\"", ""]
    i += 1
md += ["## Episode links ##", ""]
while size(md) < 750_000:
    md += [f"- [Resource {i} on {random.choice(words)}](https://example.com/r/{i}?id={i} \"title\") — about *{random.choice(words)}*",
           f"  - nested: https://example.com/n/{i}"]
    i += 1
md += ["", "### Chapters", ""]
t = 0
while size(md) < 1_000_000:
    md.append(f"- **[{t // 3600:02}:{t // 60 % 60:02}:{t % 60:02}](#t={t})** Chapter {t // 30} on *{random.choice(words)}*")
    t += 30
open(f"{out}/long.rich.md", "w").write("\n".join(md) + "\n")

# 1 MB of HTML notes, as a host's description.
h = ["<p>A very long episode.</p>"]
i = 0
while size(h) < 500_000:
    h.append(f"<p>We talk about <strong>{random.choice(words)}</strong> &amp; <em>{random.choice(words)}</em> with "
             f"<a href=\"https://example.com/guest/{i}?a=1&amp;b=2\">a guest</a>. {sentence()}<br>{sentence()}</p>")
    i += 1
h.append("<p><img src=\"https://example.com/cover.jpg\" alt=\"\"><iframe src=\"https://player.example.com/e/1\"></iframe></p>")
h.append("<p><strong>Links:</strong></p><ul>")
while size(h) < 750_000:
    h.append(f"<li><a href=\"https://example.com/r/{i}\">Resource {i} on {random.choice(words)}</a> &mdash; notes</li>")
    i += 1
h.append("</ul><p>Chapters</p><ul>")
t = 0
while size(h) < 1_000_000:
    h.append(f"<li>{t // 3600:02}:{t // 60 % 60:02}:{t % 60:02} Chapter {t // 30} on {random.choice(words)}</li>")
    t += 30
h.append("</ul>")
open(f"{out}/long.html", "w").write("\n".join(h) + "\n")
PY
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
