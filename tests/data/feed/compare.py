"""Parses two podcast feeds with gPodder's podcastparser and Python's
feedparser (the parsers podcast apps use) and compares their episodes,
matched by guid: titles, dates, enclosure URL/length/type, durations,
episode and season numbers, psc chapters and the link URLs of the
descriptions (each kept; the rebuilt feed may add links, and chapters
where the original had only stamped lines: listed as `gained`). Prints one
JSON object: the episodes of each feed, the fields
compared, and every mismatch."""

import calendar
import html.parser
import json
import sys

import feedparser
import podcastparser


class Hrefs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            for k, v in attrs:
                if k == "href" and v and v.startswith(("http://", "https://")):
                    self.hrefs.append(v)


def hrefs(text):
    p = Hrefs()
    p.feed(text or "")
    return sorted(set(p.hrefs))


def seconds(text):
    if text is None or text == "":
        return None
    parts = [float(p) for p in str(text).split(":")]
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return round(total)


def with_podcastparser(path):
    with open(path, "rb") as f:
        feed = podcastparser.parse(path, f)
    out = {}
    for e in feed["episodes"]:
        enc = e["enclosures"][0] if e["enclosures"] else {}
        out[e["guid"]] = {
            "title": e["title"],
            "published": e["published"],
            "enclosure_url": enc.get("url"),
            "enclosure_length": enc.get("file_size"),
            "enclosure_type": enc.get("mime_type"),
            "duration": e["total_time"],
            "number": e.get("number"),
            # Apple: an item without itunes:episodeType is `full`.
            "type": e.get("type") or "full",
            "chapters": [[c["start"], c["title"]] for c in e.get("chapters") or []],
            "links": hrefs(e.get("description_html")),
        }
    return out


def with_feedparser(path):
    with open(path, "rb") as f:
        feed = feedparser.parse(f.read())
    if feed.bozo and not feed.entries:
        raise SystemExit(f"feedparser could not read {path}: {feed.bozo_exception}")
    out = {}
    for e in feed.entries:
        enc = e.enclosures[0] if e.get("enclosures") else {}
        chapters = (e.get("psc_chapters") or {}).get("chapters") or []
        content = e.content[0].value if e.get("content") else e.get("summary")
        length = enc.get("length")
        out[e.id] = {
            "title": e.title,
            "published": calendar.timegm(e.published_parsed) if e.get("published_parsed") else None,
            "enclosure_url": enc.get("href"),
            "enclosure_length": int(length) if length else None,
            "enclosure_type": enc.get("type"),
            "duration": seconds(e.get("itunes_duration")),
            "number": int(e.itunes_episode) if e.get("itunes_episode") else None,
            "season": int(e.itunes_season) if e.get("itunes_season") else None,
            "chapters": [[seconds(c.start), c.title] for c in chapters],
            "links": hrefs(content),
        }
    return out


def compare(a, b, parser, gained):
    mismatches = []
    fields = set()
    for guid, ea in a.items():
        eb = b.get(guid)
        if eb is None:
            mismatches.append(f"{parser}: episode `{guid}` is missing from the rebuilt feed")
            continue
        for k, va in ea.items():
            fields.add(k)
            vb = eb.get(k)
            if k == "links" and set(va) <= set(vb or []):
                # Every link kept (the rebuilt feed may link more: the
                # episode page, chapter links).
                if set(vb or []) != set(va):
                    gained.append(f"{parser}: `{guid}` links: {sorted(set(vb) - set(va))}")
                continue
            if k == "chapters" and not va and vb:
                # Stamped lines in the description became psc chapters.
                gained.append(f"{parser}: `{guid}` chapters: {len(vb)}")
                continue
            if vb != va:
                mismatches.append(f"{parser}: `{guid}` {k}: {va!r} != {vb!r}")
    for guid in b:
        if guid not in a:
            mismatches.append(f"{parser}: episode `{guid}` is only in the rebuilt feed")
    return sorted(fields), mismatches


def main():
    original, rebuilt = sys.argv[1], sys.argv[2]
    report = {"episodes": 0, "fields": {}, "mismatches": [], "gained": []}
    for name, parse in (("podcastparser", with_podcastparser), ("feedparser", with_feedparser)):
        a, b = parse(original), parse(rebuilt)
        fields, mismatches = compare(a, b, name, report["gained"])
        report["episodes"] = max(report["episodes"], len(a))
        report["fields"][name] = fields
        report["mismatches"] += mismatches
    print(json.dumps(report, indent=1))


main()
