"""How well clusters match labelled events: pairwise and B-cubed precision, recall and F1.

Pairwise counts pairs of items put together; B-cubed averages, per item, how much of its cluster shares its
event (precision) and how much of its event shares its cluster (recall), so big events do not dominate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total


def _pairs(counts: Counter[object]) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


def pairwise(predicted: Mapping[str, object], gold: Mapping[str, object]) -> Scores:
    """Pairwise scores over the keys both mappings share (key -> cluster id, key -> event id)."""
    keys = [key for key in predicted if key in gold]
    together = _pairs(Counter((predicted[k], gold[k]) for k in keys))
    predicted_pairs = _pairs(Counter(predicted[k] for k in keys))
    gold_pairs = _pairs(Counter(gold[k] for k in keys))
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / gold_pairs if gold_pairs else 1.0
    return Scores(precision, recall)


def bcubed(predicted: Mapping[str, object], gold: Mapping[str, object]) -> Scores:
    """B-cubed scores over the keys both mappings share."""
    keys = [key for key in predicted if key in gold]
    if not keys:
        return Scores(1.0, 1.0)
    both = Counter((predicted[k], gold[k]) for k in keys)
    by_cluster = Counter(predicted[k] for k in keys)
    by_event = Counter(gold[k] for k in keys)
    precision = sum(both[(predicted[k], gold[k])] / by_cluster[predicted[k]] for k in keys) / len(keys)
    recall = sum(both[(predicted[k], gold[k])] / by_event[gold[k]] for k in keys) / len(keys)
    return Scores(precision, recall)
