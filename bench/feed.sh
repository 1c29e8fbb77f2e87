#!/usr/bin/env bash
# Times `shownotes import` of a generated 1,000-episode feed (each item
# with an HTML description: a paragraph, a link list, stamped chapter
# lines) and `shownotes feed` over the 1,000 notes files it writes (remote
# audio: URL, length and duration in the front matter), and reports each
# run's peak memory (GNU time's maximum resident set size).
# Targets (issue 12): each under 1 s.
#
# Usage: bench/feed.sh [--smoke]   (--smoke: 3 runs each instead of 10)
# Needs: cargo, python3, /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=10
[[ ${1:-} == --smoke ]] && runs=3
cargo build --release --quiet
bin=$PWD/target/release/shownotes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/feed.xml" <<'PY'
import sys, datetime, email.utils
items = []
start = datetime.datetime(2005, 1, 3, 6, 0, tzinfo=datetime.timezone.utc)
for i in range(1000, 0, -1):
    date = email.utils.format_datetime(start + datetime.timedelta(weeks=i))
    items.append(f"""<item><title>Episode {i}: a conversation</title><guid isPermaLink="false">guid-{i}</guid>
<pubDate>{date}</pubDate><link>https://show.example/episodes/{i}</link>
<description><![CDATA[<p>We talk about <strong>topic {i}</strong> with a guest, and much more besides: {"networking, protocols and tools. " * 8}</p>
<p>Links:</p><ul><li><a href="https://example.com/{i}/a">Resource A</a></li><li><a href="https://example.com/{i}/b">Resource B</a></li><li><a href="https://example.com/{i}/c">Resource C</a></li></ul>
<p>00:00 Intro<br>05:00 Topic<br>30:00 Questions<br>55:00 Outro</p>]]></description>
<enclosure url="https://media.example/{i}.mp3" length="{50_000_000 + i}" type="audio/mpeg"/>
<itunes:duration>3600</itunes:duration><itunes:episode>{i}</itunes:episode><itunes:episodeType>full</itunes:episodeType></item>""")
open(sys.argv[1], "w").write(f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Bench Show</title><link>https://show.example/</link><description>A show.</description><language>en</language>
<itunes:image href="https://show.example/cover.jpg"/><itunes:category text="Technology"/><itunes:explicit>false</itunes:explicit>
<itunes:owner><itunes:email>host@show.example</itunes:email></itunes:owner>
{"".join(items)}
</channel></rss>""")
PY
echo "feed: $(wc -c <"$work/feed.xml") bytes, 1000 items"


report() {
  local what=$1 file=$2
  python3 - "$what" "$file" <<'PY'
import sys, statistics
what, path = sys.argv[1], sys.argv[2]
rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
secs = sorted(r[0] for r in rows)
mem = max(r[1] for r in rows)
print(f"{what}: median {statistics.median(secs):.3f} s (min {secs[0]:.3f}, max {secs[-1]:.3f}, {len(rows)} runs), peak memory {mem / 1024:.1f} MiB")
PY
}

: >"$work/import.txt"
for _ in $(seq "$runs"); do
  rm -rf "$work/show"
  /usr/bin/time -f "%e %M" -o "$work/one.txt" "$bin" import "$work/feed.xml" --out "$work/show" >/dev/null 2>&1
  tail -n 1 "$work/one.txt" >>"$work/import.txt"
done
report "import (1,000 episodes)" "$work/import.txt"
echo "notes files: $(ls "$work/show" | grep -c '\.md$')"

: >"$work/feedrun.txt"
for _ in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o "$work/one.txt" "$bin" feed "$work/show" -o "$work/rebuilt.xml" >/dev/null 2>&1 || true
  tail -n 1 "$work/one.txt" >>"$work/feedrun.txt"
done
report "feed (1,000 notes files, remote audio)" "$work/feedrun.txt"
echo "items in the rebuilt feed: $(grep -c '<item ' "$work/rebuilt.xml")"
