"""Similar questions together, on the sentence embeddings the project ships (all-MiniLM-L6-v2).

Grouping is greedy and incremental (average linkage): a new question joins
the open group whose members it is, on average, most similar to (cosine), if
that average is at least GROUP_AT, and starts a group of its own otherwise.
The average, not the cosine to a normalised centroid: a centroid of varied
members drifts towards a generic question close to everything, and one group
would swallow the inbox. Sums are recomputed from the members every pass and
never stored, so when a question goes (its conversation erased, or it is
dismissed or proposed) nothing of it stays in a group. GROUP_AT was chosen on
tests/support/seed.py's pool of patient-style questions (8 topics, 3-4
phrasings each, 400 drawn at random): at 0.45 they form 17 groups, every one
of a single topic; at 0.40, 15 groups, 96% pure; at 0.55, 23.

The nearest FAQ of a group is the FAQ whose centroid (its title and examples)
is closest to the group's: where the content would most likely grow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from bot.content.models import ContentEntry

GROUP_AT = 0.45
DIMENSIONS = 384
FAQ_EXAMPLES = 16  # examples per FAQ that make its centroid (with the title)


class Encoder(Protocol):
    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray: ...


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


@dataclass
class Groups:
    """Open groups as running sums; new groups get keys below zero until they are stored."""

    keys: list[int] = field(default_factory=list)
    sums: list[np.ndarray] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    _next_new: int = -1

    @classmethod
    def of(cls, members: Iterable[tuple[int, np.ndarray]]) -> Groups:
        sums: dict[int, np.ndarray] = {}
        counts: dict[int, int] = {}
        for group_id, vector in members:
            sums[group_id] = sums.get(group_id, 0) + vector
            counts[group_id] = counts.get(group_id, 0) + 1
        return cls(list(sums), list(sums.values()), [counts[k] for k in sums])

    def place(self, vector: np.ndarray) -> int:
        """The key of the group `vector` joins (a new one if none is close enough)."""
        if self.sums:
            scores = (np.vstack(self.sums) @ vector) / np.asarray(self.counts, dtype=np.float32)
            best = int(np.argmax(scores))
            if scores[best] >= GROUP_AT:
                self.sums[best] = self.sums[best] + vector
                self.counts[best] += 1
                return self.keys[best]
        key = self._next_new
        self._next_new -= 1
        self.keys.append(key)
        self.sums.append(np.array(vector, dtype=np.float32))
        self.counts.append(1)
        return key

    def centroid(self, key: int) -> np.ndarray:
        return _unit(self.sums[self.keys.index(key)])


@dataclass(frozen=True)
class FaqIndex:
    """Each FAQ's centroid, to name the FAQ nearest to a group."""

    ids: tuple[str, ...]
    centroids: np.ndarray

    def nearest(self, vector: np.ndarray) -> tuple[str | None, float | None]:
        if not self.ids:
            return None, None
        scores = self.centroids @ vector
        best = int(np.argmax(scores))
        return self.ids[best], round(float(scores[best]), 3)


_INDEX_CACHE: dict[str, FaqIndex] = {}


def faq_index(entries: Iterable[ContentEntry], encoder: Encoder) -> FaqIndex:
    """The index of every FAQ that is not retired; cached per process for the same content."""
    faqs = sorted((e for e in entries if e.kind == "faq" and e.status != "retired"), key=lambda e: e.id)
    texts = [[e.title, *e.examples[:FAQ_EXAMPLES]] for e in faqs]
    digest = hashlib.sha256(repr([(e.id, t) for e, t in zip(faqs, texts)]).encode()).hexdigest()
    cached = _INDEX_CACHE.get(digest)
    if cached is not None:
        return cached
    flat = [text for group in texts for text in group]
    vectors = encoder.encode(flat) if flat else np.zeros((0, DIMENSIONS), dtype=np.float32)
    centroids, start = [], 0
    for group in texts:
        centroids.append(_unit(vectors[start : start + len(group)].mean(axis=0)))
        start += len(group)
    index = FaqIndex(
        tuple(e.id for e in faqs),
        np.vstack(centroids) if centroids else np.zeros((0, DIMENSIONS), dtype=np.float32),
    )
    _INDEX_CACHE.clear()
    _INDEX_CACHE[digest] = index
    return index
