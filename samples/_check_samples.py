#!/usr/bin/env python3
"""Sanity check for the bundled sample data (needs feedparser). Run: python samples/_check_samples.py"""
import json
import os
import re
import sys
from collections import Counter

import feedparser

HERE = os.path.dirname(os.path.abspath(__file__))
FEEDS = os.path.join(HERE, "feeds")
BROKEN = {"broken-malformed.xml", "broken-empty.xml"}
labels = json.load(open(os.path.join(HERE, "labels.json"), encoding="utf-8"))
ok = True


def fail(msg):
    global ok
    ok = False
    print("FAIL:", msg)


seen_links, per_day, n_entries, n_atom = {}, Counter(), 0, 0
for fn in sorted(os.listdir(FEEDS)):
    path = os.path.join(FEEDS, fn)
    raw = open(path, "rb").read()
    if re.search(rb"<!DOCTYPE[^>]*\[", raw) or b"<!ENTITY" in raw:
        fail("%s: entity/DOCTYPE declaration" % fn)
    d = feedparser.parse(raw)
    links = [e.get("link") for e in d.entries]
    print("%-28s version=%-8s bozo=%d entries=%3d%s" % (fn, d.get("version") or "-", int(bool(d.bozo)), len(d.entries),
          ("  (%s)" % type(d.bozo_exception).__name__) if d.bozo else ""))
    if fn in BROKEN:
        for l in links:
            if l and l not in labels["entries"]:
                print("   note: recovered unlabelled link from broken feed:", l)
        if fn == "broken-malformed.xml" and not d.bozo:
            fail("malformed feed not flagged bozo")
        for l in links:
            if l in labels["entries"]:
                seen_links[l] = fn
        continue
    if d.bozo:
        fail("%s is bozo: %r" % (fn, d.bozo_exception))
    n_atom += (d.get("version") or "").startswith("atom")
    n_entries += len(d.entries)
    for e in d.entries:
        l = e.get("link")
        if not l:
            fail("%s: entry without link" % fn)
            continue
        if l not in labels["entries"]:
            fail("%s: link not labelled: %s" % (fn, l))
        if l in seen_links and seen_links[l] != fn:
            fail("link in two feeds: " + l)
        seen_links[l] = fn
        if not e.get("title"):
            fail("%s: entry without title: %s" % (fn, l))
        t = e.get("published_parsed") or e.get("updated_parsed")
        per_day[("%04d-%02d-%02d" % t[:3]) if t else "undated"] += 1

missing = set(labels["entries"]) - set(seen_links)
for l in sorted(missing):
    fail("labelled link not found in any feed: " + l)
for l, ev in labels["entries"].items():
    if ev not in labels["events"]:
        fail("unknown event %s for %s" % (ev, l))
for ev, meta in labels["events"].items():
    if meta["day"] not in labels["days"]:
        fail("bad day for " + ev)
    if meta["follow_up_of"] and meta["follow_up_of"] not in labels["events"]:
        fail("bad follow_up_of for " + ev)
for l, path in labels.get("articles", {}).items():
    if l not in labels["entries"]:
        fail("article for unlabelled link " + l)
    if not os.path.exists(os.path.join(HERE, path.lstrip("/"))):
        fail("missing article file " + path)

cnt = Counter(labels["entries"].values())
multi = sum(1 for v in cnt.values() if v >= 2)
days = Counter(m["day"] for m in labels["events"].values())
print()
print("entries in well-formed feeds:", n_entries, " labelled links:", len(labels["entries"]))
print("entries per (UTC) date:", dict(sorted(per_day.items())))
print("events:", len(labels["events"]), " multi-source:", multi, " singletons:", sum(1 for v in cnt.values() if v == 1),
      " per day:", dict(days))
print("threads:", dict(Counter(m["thread"] for m in labels["events"].values())))
print("atom feeds:", n_atom, " articles:", len(labels.get("articles", {})))
if n_entries < 150: fail("fewer than 150 entries")
if len(labels["events"]) < 40: fail("fewer than 40 events")
if multi < 20: fail("fewer than 20 multi-source events")
if not (per_day.get("2026-03-09") and per_day.get("2026-03-10")): fail("both days must be represented")
if n_atom < 4: fail("fewer than 4 atom feeds")
print("OK" if ok else "CHECK FAILED")
sys.exit(0 if ok else 1)
