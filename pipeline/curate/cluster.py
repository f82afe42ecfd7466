"""Same event, many outlets: TF-IDF similarity over words and names, then average-linkage clustering.

Similarity of two items = ``NAME_SHARE`` x cosine of their name/number vectors + the rest x cosine of their
word vectors (see ``text.features``), each TF-IDF weighted over the day's items. Names and numbers are what
separate two events about the same company (a price cut and a new safety chief at one lab share the company
but not ``$0.48`` or ``Ramanathan``), words are what join two outlets' different wording of one event.

Scaling: pairs are only formed through tokens two items share, and tokens carried by more than
``common_cap(n)`` items are left out of that join (they are the day's vocabulary, not an event's; their weight
is low anyway). Each item keeps its ``K_NEIGHBOURS`` best links. Pairs are accumulated with numpy, so 10,000
items cost seconds, not the 50 million comparisons of all pairs.

Clustering is average linkage over that sparse graph (a missing link counts as 0): two groups merge while the
mean similarity over all their cross pairs is at least the threshold. Unlike single linkage, one roundup that
mentions two events cannot chain them into one story.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

NAME_SHARE = 0.7
K_NEIGHBOURS = 40
MIN_LINK = 0.05  # links weaker than this are treated as no link at all
SAME_OUTLET = 0.6
SAME_EVENT_HOURS = 18.0
HOURS_TO_HALF = 24.0  # past SAME_EVENT_HOURS, similarity falls linearly to half over this many hours
REDUCE_EVERY = 3_000_000
BOILERPLATE_SHARE = 0.5  # a token in this share of one outlet's items (4 or more) is its template, not news

Doc = tuple[Counter[str], Counter[str]]  # (words, names)


def common_cap(n: int) -> int:
    """The most items a token may appear in and still join pairs: 200, or 2% of a very large day."""
    return max(200, int(0.02 * n))


@dataclass
class Vectors:
    """L2-normalised TF-IDF rows (token id -> weight) with both channels blended in, so a dot product is the
    blended similarity."""

    rows: list[dict[int, float]]
    vocabulary: dict[str, int]
    df: list[int]


def vectorize(docs: Sequence[Doc], *, name_share: float | None = None, idf_docs: int | None = None) -> Vectors:
    """TF-IDF vectors of ``docs``; ``idf_docs`` overrides the document count used for idf."""
    vocabulary: dict[str, int] = {}
    df: list[int] = []
    encoded: list[tuple[dict[int, int], dict[int, int]]] = []
    for words, names in docs:
        channels = []
        for prefix, counts in (("w:", words), ("n:", names)):
            ids: dict[int, int] = {}
            for token, count in counts.items():
                key = prefix + token
                index = vocabulary.get(key)
                if index is None:
                    index = vocabulary[key] = len(df)
                    df.append(0)
                ids[index] = count
            channels.append(ids)
        for index in set(channels[0]) | set(channels[1]):
            df[index] += 1
        encoded.append((channels[0], channels[1]))
    total = idf_docs or len(docs)
    idf = [math.log((total + 1) / (d + 1)) + 1.0 for d in df]
    share = NAME_SHARE if name_share is None else name_share
    scale = (math.sqrt(1.0 - share), math.sqrt(share))
    rows: list[dict[int, float]] = []
    for pair in encoded:
        row: dict[int, float] = {}
        for ids, factor in zip(pair, scale, strict=False):
            weights = {i: (1.0 + math.log(c)) * idf[i] for i, c in ids.items()}
            norm = math.sqrt(sum(w * w for w in weights.values()))
            if norm > 0 and factor > 0:
                for i, w in weights.items():
                    row[i] = w / norm * factor
        rows.append(row)
    return Vectors(rows=rows, vocabulary=vocabulary, df=df)


def dot(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[i] for i, w in a.items() if i in b)


@lru_cache(maxsize=512)
def _pairs_of(size: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(size, 1)


def similarity_graph(
    vectors: Vectors,
    *,
    outlets: Sequence[int] | None = None,
    hours: Sequence[float] | None = None,
    cap: int | None = None,
    k: int = K_NEIGHBOURS,
    min_link: float = MIN_LINK,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse similarity graph (i, j, s) with i < j: pairs that share a token carried by at most ``cap`` items,
    each item keeping its ``k`` strongest links at or above ``min_link``. With ``outlets`` (an outlet number per
    item) and ``hours`` (publication time), links are damped by `damping`."""
    n = len(vectors.rows)
    cap = common_cap(n) if cap is None else cap
    postings: dict[int, tuple[list[int], list[float]]] = {}
    for doc, row in enumerate(vectors.rows):
        for token, weight in row.items():
            if 2 <= vectors.df[token] <= cap:
                entry = postings.setdefault(token, ([], []))
                entry[0].append(doc)
                entry[1].append(weight)
    if not postings or n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    keys_parts: list[np.ndarray] = []
    value_parts: list[np.ndarray] = []
    folded: list[tuple[np.ndarray, np.ndarray]] = []
    pending = 0
    for docs, weights in postings.values():
        first, second = _pairs_of(len(docs))
        d = np.asarray(docs, dtype=np.int64)
        w = np.asarray(weights)
        keys_parts.append(d[first] * n + d[second])
        value_parts.append(w[first] * w[second])
        pending += len(first)
        if pending > REDUCE_EVERY:  # fold this batch's partial sums now: memory follows distinct pairs
            folded_keys, folded_values = _reduce(keys_parts, value_parts)
            folded.append((folded_keys, folded_values))
            keys_parts, value_parts, pending = [], [], 0
    keys_parts += [keys for keys, _ in folded]
    value_parts += [values for _, values in folded]
    unique, sums = _reduce(keys_parts, value_parts)
    left, right = unique // n, unique % n
    sums = sums * damping(left, right, outlets, hours)
    keep = sums >= min_link
    return _top_k(left[keep], right[keep], sums[keep], n, k)


def _reduce(keys_parts: list[np.ndarray], value_parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Sum values by key: (distinct keys, sums)."""
    keys = np.concatenate(keys_parts)
    values = np.concatenate(value_parts)
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(values, starts)


def damping(
    left: np.ndarray, right: np.ndarray, outlets: Sequence[int] | None, hours: Sequence[float] | None
) -> np.ndarray:
    """Factors on pair similarities: ``SAME_OUTLET`` when one outlet published both (an outlet rarely reports
    one event twice in a day; its second piece is usually a development), and a decay once two reports are more
    than ``SAME_EVENT_HOURS`` apart (late roundups still join, the next day's follow-up less easily)."""
    factor = np.ones(len(left))
    if outlets is not None:
        source = np.asarray(outlets)
        factor[source[left] == source[right]] *= SAME_OUTLET
    if hours is not None:
        when = np.asarray(hours, dtype=float)
        gap = np.abs(when[left] - when[right])
        factor *= np.clip(1.0 - (gap - SAME_EVENT_HOURS) / HOURS_TO_HALF * 0.5, 0.5, 1.0)
    return factor


def _top_k(
    left: np.ndarray, right: np.ndarray, sims: np.ndarray, n: int, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep an edge when it is among the ``k`` strongest of either end (ties by index: deterministic)."""
    if len(sims) == 0:
        return left, right, sims
    ends = np.concatenate([left, right])
    edge = np.concatenate([np.arange(len(sims)), np.arange(len(sims))])
    strength = np.concatenate([sims, sims])
    order = np.lexsort((edge, -strength, ends))
    ends, edge = ends[order], edge[order]
    starts = np.flatnonzero(np.r_[True, ends[1:] != ends[:-1]])
    counts = np.diff(np.r_[starts, len(ends)])
    rank = np.arange(len(ends)) - np.repeat(starts, counts)
    kept = np.unique(edge[rank < k])
    return left[kept], right[kept], sims[kept]


def average_linkage(n: int, left: np.ndarray, right: np.ndarray, sims: np.ndarray, threshold: float) -> list[list[int]]:
    """Groups of indices: merge while the mean cross-pair similarity of two groups is >= ``threshold``."""
    size = [1] * n
    version = [0] * n
    alive = [True] * n
    links: list[dict[int, float]] = [{} for _ in range(n)]
    members: list[list[int]] = [[i] for i in range(n)]
    heap: list[tuple[float, int, int, int, int]] = []
    for a, b, s in zip(left.tolist(), right.tolist(), sims.tolist(), strict=False):
        links[a][b] = links[a].get(b, 0.0) + s
        links[b][a] = links[b].get(a, 0.0) + s
    for a in range(n):
        for b, s in links[a].items():
            if a < b and s >= threshold:
                heap.append((-s, a, b, 0, 0))
    heapq.heapify(heap)
    while heap:
        negative, a, b, va, vb = heapq.heappop(heap)
        if -negative < threshold:
            break
        if not (alive[a] and alive[b]) or version[a] != va or version[b] != vb:
            continue
        keep, gone = (a, b) if len(links[a]) >= len(links[b]) else (b, a)
        alive[gone] = False
        version[keep] += 1
        members[keep].extend(members[gone])
        members[gone] = []
        size[keep] += size[gone]
        links[keep].pop(gone, None)
        for other, s in links[gone].items():
            if other == keep:
                continue
            links[keep][other] = links[keep].get(other, 0.0) + s
            links[other].pop(gone, None)
        links[gone] = {}
        for other, s in links[keep].items():
            links[other][keep] = s
            mean = s / (size[keep] * size[other])
            if mean >= threshold:
                x, y = (keep, other) if keep < other else (other, keep)
                heapq.heappush(heap, (-mean, x, y, version[x], version[y]))
    groups = [sorted(group) for group in members if group]
    groups.sort(key=lambda group: group[0])
    return groups


@dataclass
class Clustering:
    """Groups of item indices, plus each item's summed similarity to the rest of its group (its centrality)."""

    groups: list[list[int]]
    centrality: list[float] = field(default_factory=list)
    edges: int = 0


def strip_boilerplate(docs: Sequence[Doc], outlets: Sequence[int]) -> list[Doc]:
    """Remove each outlet's template tokens ("Points", "Comments URL", its own name in every summary)."""
    members: dict[int, list[int]] = {}
    for index, outlet in enumerate(outlets):
        members.setdefault(outlet, []).append(index)
    cleaned = list(docs)
    for indices in members.values():
        if len(indices) < 4:
            continue
        counts: Counter[str] = Counter()
        for index in indices:
            words, names = docs[index]
            counts.update({"w:" + t for t in words})
            counts.update({"n:" + t for t in names})
        template = {token for token, count in counts.items() if count >= BOILERPLATE_SHARE * len(indices)}
        if not template:
            continue
        for index in indices:
            words, names = docs[index]
            cleaned[index] = (
                Counter({t: c for t, c in words.items() if "w:" + t not in template}),
                Counter({t: c for t, c in names.items() if "n:" + t not in template}),
            )
    return cleaned


def cluster_docs(
    docs: Sequence[Doc],
    threshold: float,
    *,
    outlets: Sequence[str] | None = None,
    hours: Sequence[float] | None = None,
) -> Clustering:
    """Cluster already-featurised documents (in a fixed order: the result depends only on that order).
    ``outlets`` (who published each) and ``hours`` (when) refine the similarities; see `damping`."""
    n = len(docs)
    if n == 0:
        return Clustering(groups=[], centrality=[])
    numbers = None
    if outlets is not None:
        seen: dict[str, int] = {}
        numbers = [seen.setdefault(outlet, len(seen)) for outlet in outlets]
        docs = strip_boilerplate(docs, numbers)
    vectors = vectorize(docs)
    left, right, sims = similarity_graph(vectors, outlets=numbers, hours=hours)
    groups = average_linkage(n, left, right, sims, threshold)
    group_of = np.empty(n, dtype=np.int64)
    for number, group in enumerate(groups):
        group_of[group] = number
    inside = group_of[left] == group_of[right] if len(sims) else np.zeros(0, dtype=bool)
    centrality = np.zeros(n)
    np.add.at(centrality, left[inside], sims[inside])
    np.add.at(centrality, right[inside], sims[inside])
    return Clustering(groups=groups, centrality=centrality.tolist(), edges=int(len(sims)))


