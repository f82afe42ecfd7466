#!/usr/bin/env python3
"""Deterministic generator for briefcast's bundled sample data.

Writes (relative to this file's directory):
  feeds/*.xml      RSS 2.0 / Atom feeds of a fictional AI-news world (2026-03-09 .. 2026-03-10)
  labels.json      gold event labels for every entry (keyed by entry link)
  sources.yaml     the sample show's source list (paths relative to the sample server)
  articles/*.html  full article pages for a few teaser-only entries

Everything here is FICTIONAL: companies, labs, people, bills, cases and numbers are
invented. Run:  python samples/_make_samples.py
"""
import json
import os
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

HERE = os.path.dirname(os.path.abspath(__file__))
DAY1, DAY2 = "2026-03-09", "2026-03-10"

# --------------------------------------------------------------------------- events
EVENTS = {}


def EV(eid, title, day, thread, follow_up_of=None, **extra):
    assert eid not in EVENTS, eid
    EVENTS[eid] = dict(title=title, day=day, thread=thread, follow_up_of=follow_up_of, **extra)


# --------------------------------------------------------------------------- entries
ENTRIES = []


def E(feed, ev, when, slug, title, summary, author=None, tags=(), content=None, **kw):
    """when: 'MM-DD HH:MM' (UTC, year 2026), None (no date) or 'RAW:<string>' (unparseable)."""
    ENTRIES.append(dict(feed=feed, ev=ev, when=when, slug=slug, title=title, summary=summary,
                        author=author, tags=list(tags), content=content, **kw))


def P(*paras):
    """Join paragraphs of (already HTML) text into <p> blocks."""
    return "\n".join("<p>%s</p>" % p for p in paras)

