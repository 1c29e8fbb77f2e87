"""Writes the 1 MB notes files the benchmarks time (bench/check.sh,
bench/instructions.sh) into the folder given: long.md (a long episode:
summary, "Learn more" links, chapters), long.flat.txt (the same with every
line break lost), long.rich.md (Markdown as static-site generators write
it) and long.html (a host's HTML description). Seeded: the same bytes on
every run."""
import os, sys, random
random.seed(7)
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
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
