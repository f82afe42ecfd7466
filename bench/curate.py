"""Curate at scale, and how well it clusters.

- F1 (pairwise; B-cubed too) of clusters against samples/labels.json for the day-1 and day-2 windows; the
  baseline is single linkage (connected components) over the same similarity graph.
- 1,000 / 5,000 / 10,000 items synthesised from the sample days: each copy of the sample world gets its own
  names and numbers (``Northwind`` -> ``Northwindbq``, ``$640`` -> ``$653``), so copies are distinct events;
  reports get generic-word swaps, other outlets and shifted times. The whole ``curate()`` (read from SQLite,
  mutes, cluster, memory, rank, assign, save) is timed; peak memory is the process's maximum RSS. The time
  baseline is the all-pairs cosine (dense numpy) that blocking avoids, measured at 1,000 and 2,000 items.

    .venv/bin/python -m bench.curate
"""

from __future__ import annotations

import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from pipeline.curate import cluster as clustering  # noqa: E402
from pipeline.curate import cluster_items, curate  # noqa: E402
from pipeline.curate.evaluate import bcubed, pairwise  # noqa: E402
from pipeline.curate.text import features  # noqa: E402
from pipeline.models import Item  # noqa: E402
from pipeline.store import open_store  # noqa: E402
from tests.curate_support import DAY2, gold_of, sample_config, sample_items  # noqa: E402

SIZES = (1000, 5000, 10000)
SWAPS = {"cuts": "slashes", "raises": "secures", "releases": "publishes", "launches": "unveils", "new": "fresh",
         "model": "system", "models": "systems", "says": "said", "company": "firm", "price": "cost"}
_NAME = re.compile(r"\b([A-Z][A-Za-z0-9]+)\b")
_NUMBER = re.compile(r"\b(\d{2,4})\b")
_LETTERS = "bcdfghjklmnpqrstvwxz"


def _code(copy: int) -> str:
    return _LETTERS[copy % 20] + _LETTERS[(copy // 20) % 20]


_WORD = re.compile(r"\b([a-z]{4,})\b")


def _vary(text: str, copy: int, rng: random.Random, lexicon: dict[str, str]) -> str:
    """One copy's version of a text: its own names, numbers and (through ``lexicon``) half its vocabulary,
    plus per-report word swaps."""
    text = _NAME.sub(lambda m: m.group(1) + _code(copy), text)
    text = _NUMBER.sub(lambda m: str(int(m.group(1)) + 7 * copy + 1), text)
    text = _WORD.sub(lambda m: lexicon.get(m.group(1), m.group(1)), text)
    words = text.split(" ")
    return " ".join(SWAPS.get(w, w) if rng.random() < 0.3 else w for w in words)


def _lexicon(vocabulary: list[str], copy: int, rng: random.Random) -> dict[str, str]:
    """Copy 0 is the sample itself; every other copy renames a random half of the vocabulary, so two copies of
    one event share only part of their wording, as two different events do."""
    if copy == 0:
        return {}
    chosen = [word for word in vocabulary if rng.random() < 0.5]
    return dict(zip(chosen, rng.sample(vocabulary, len(chosen))))


def synthesise(n: int, seed: int = 7) -> tuple[list[Item], dict[str, str]]:
    """``n`` items made from copies of the labelled sample items, and their gold event labels."""
    rng = random.Random(seed)
    base = [item for item in sample_items() if item.url]
    gold = gold_of(base)
    outlets = [f"Outlet {i:02d}" for i in range(60)]
    anchor = datetime(2026, 3, 10, 12, tzinfo=UTC)
    items: list[Item] = []
    labels: dict[str, str] = {}
    sources = sorted({item.source for item in base})
    vocabulary = sorted({w for item in base for w in _WORD.findall(f"{item.title} {item.text}")})
    copy = 0
    while len(items) < n:
        lexicon = _lexicon(vocabulary, copy, rng)
        # each copy's reports come from other outlets (one outlet per sample source, as in the sample)
        outlet_of = dict(zip(sources, rng.sample(outlets, len(sources)))) if copy else {s: s for s in sources}
        shift = {event: timedelta(hours=rng.uniform(-20, 8)) for event in set(gold.values())}
        for item in base:
            if len(items) >= n:
                break
            event = gold[item.id]
            jitter = timedelta(minutes=rng.uniform(0, 90))
            published = min(item.published + shift[event] + jitter, anchor + timedelta(hours=11))
            new_id = f"c{copy:03d}{item.id}"
            items.append(
                item.model_copy(
                    update={
                        "id": new_id,
                        "url": f"{item.url}#copy{copy}",
                        "source": outlet_of[item.source],
                        "title": _vary(item.title, copy, rng, lexicon),
                        "summary_text": _vary(item.summary_text, copy, rng, lexicon),
                        "content_text": _vary(item.content_text[:1500], copy, rng, lexicon),
                        "published": max(published, anchor - timedelta(hours=40)),
                    }
                )
            )
            labels[new_id] = f"{event}#{copy}"
        copy += 1
    return items, labels


def _scores(items: list[Item], gold: dict[str, str], threshold: float) -> tuple[object, object]:
    stories = cluster_items(items, threshold)
    predicted = {source.item_id: story.id for story in stories for source in story.sources}
    return pairwise(predicted, gold), bcubed(predicted, gold)


def _single_link_f1(items: list[Item], gold: dict[str, str], threshold: float) -> float:
    ordered = sorted(items, key=lambda item: (item.published, item.id))
    docs = [features(item.title, item.text) for item in ordered]
    outlets: dict[str, int] = {}
    numbers = [outlets.setdefault(item.source, len(outlets)) for item in ordered]
    vectors = clustering.vectorize(clustering.strip_boilerplate(docs, numbers))
    left, right, sims = clustering.similarity_graph(
        vectors, outlets=numbers, hours=[item.published.timestamp() / 3600 for item in ordered]
    )
    parent = list(range(len(ordered)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, s in zip(left.tolist(), right.tolist(), sims.tolist()):
        if s >= threshold:
            parent[find(a)] = find(b)
    predicted = {item.id: find(i) for i, item in enumerate(ordered)}
    return pairwise(predicted, gold).f1


def _all_pairs_seconds(items: list[Item]) -> float:
    """The naive way: every item against every other (dense TF-IDF matrix product)."""
    started = time.perf_counter()
    docs = [features(item.title, item.text) for item in items]
    vectors = clustering.vectorize(docs)
    matrix = np.zeros((len(items), len(vectors.df)), dtype=np.float32)
    for row, weights in enumerate(vectors.rows):
        matrix[row, list(weights)] = list(weights.values())
    similarity = matrix @ matrix.T
    _ = (similarity >= 0.25).sum()
    return time.perf_counter() - started


def _timed_curate(items: list[Item], folder: Path) -> float:
    config = sample_config(folder)
    store = open_store(config.state_dir)
    store.upsert_items(items)
    started = time.perf_counter()
    rundown = curate(config, store, DAY2)
    elapsed = time.perf_counter() - started
    assert rundown.stories, "no stories made"
    store.close()
    return elapsed


def _one_size(size: int) -> dict[str, float]:
    """Synthesise ``size`` items and time one curate(); runs in its own process so its peak RSS is its own."""
    items, _ = synthesise(size)
    with tempfile.TemporaryDirectory(prefix="bc-curate-") as tmp:
        seconds = _timed_curate(items, Path(tmp))
    return {"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _in_process(size: int) -> dict[str, float]:
    code = f"import json, bench.curate as b; print(json.dumps(b._one_size({size})))"
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    rows: list[dict] = []
    base = [item for item in sample_items() if item.url]
    gold = gold_of(base)
    threshold = sample_config(Path(tempfile.mkdtemp(prefix="bc-cfg-"))).curate.similarity_threshold
    windows = {
        "day 1 (2026-03-09)": [i for i in base if i.published < datetime.combine(DAY2, datetime.min.time(), UTC)],
        "day 2 window (both days)": base,
    }
    for name, items in windows.items():
        pw, b3 = _scores(items, gold, threshold)
        single = _single_link_f1(items, gold, threshold)
        rows.append({"figure": f"pairwise F1, sample {name}", "briefcast": round(pw.f1, 3), "baseline": round(single, 3),
                     "ratio": round(pw.f1 / single, 2) if single else None, "target": ">= 0.9 (baseline: single link)"})
        rows.append({"figure": f"pairwise precision / recall, {name}", "briefcast": f"{pw.precision:.3f} / {pw.recall:.3f}",
                     "baseline": None, "ratio": None, "target": "-"})
        rows.append({"figure": f"B-cubed F1, {name}", "briefcast": round(b3.f1, 3), "baseline": None, "ratio": None,
                     "target": ">= 0.9"})
    times: dict[int, float] = {}
    peaks: dict[int, float] = {}
    for size in SIZES:
        measured = _in_process(size)
        times[size], peaks[size] = measured["seconds"], measured["peak_mb"]
        baseline = _all_pairs_seconds(synthesise(size)[0]) if size <= 2000 else None
        rows.append({"figure": f"curate() on {size:,} items, seconds", "briefcast": round(times[size], 2),
                     "baseline": round(baseline, 2) if baseline else None,
                     "ratio": round(times[size] / baseline, 2) if baseline else None,
                     "target": "< 10 s at 10k (baseline: all-pairs cosine)"})
        rows.append({"figure": f"peak memory, {size:,} items (process max RSS, MB)", "briefcast": round(peaks[size]),
                     "baseline": None, "ratio": None, "target": "< 1024 MB at 10k"})
    items, labels = synthesise(SIZES[-1])
    pw, _ = _scores(items, labels, threshold)
    rows.append({"figure": f"pairwise F1 on the {SIZES[-1]:,} synthetic items", "briefcast": round(pw.f1, 3),
                 "baseline": None, "ratio": None, "target": "informative (harsh variations)"})
    small, _ = synthesise(2000)
    rows.append({"figure": "all-pairs cosine on 2,000 items, seconds (baseline only)", "briefcast": None,
                 "baseline": round(_all_pairs_seconds(small), 2), "ratio": None, "target": "-"})
    rows.append({"figure": "time growth 1k -> 10k items (x)", "briefcast": round(times[SIZES[-1]] / times[SIZES[0]], 1),
                 "baseline": 100.0, "ratio": None, "target": "about 10 = linear (all pairs: 100)"})
    return rows


if __name__ == "__main__":
    from rich.console import Console
    from rich.table import Table

    table = Table("figure", "briefcast", "baseline", "ratio", "target")
    for row in run():
        table.add_row(*(str(row[key]) if row[key] is not None else "-" for key in ("figure", "briefcast", "baseline", "ratio", "target")))
    Console().print(table)
