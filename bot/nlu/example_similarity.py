"""How close a question comes to an example question of the FAQ chosen to answer it.

The ResponseSelector's confidence says which FAQ is likeliest among ours, not
whether the question is one the FAQ answers: a question on the FAQ's topic that
asks something else ("is there a test for long covid" under the testing FAQ)
can be the likeliest with high confidence. A sentence embedding trained on
paraphrase pairs (all-MiniLM-L6-v2, bot/nlu/sentence_encoder.py) measures the
other thing: how near the question is, in meaning, to a question the FAQ was
written to answer. The gate caps its confidence at that cosine similarity
(bot/nlu/faq_gate.py).

A question that asks for a reason, place, person, time or amount is compared
only with the FAQ's example questions of the same kind (bot/nlu/question_kind.py):
"why does diabetes make covid more dangerous" is close to "does diabetes make
covid worse", but only a "why" example shows that the answer gives the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from bot.nlu.question_kind import question_kind
from bot.nlu.sentence_encoder import SentenceEncoder

_FILE = "example_embeddings.npz"


class ExampleSimilarity:
    """The embeddings of every FAQ's example questions, with each one's FAQ and question kind."""

    def __init__(self, vectors: np.ndarray, faq_ids: Sequence[str], kinds: Sequence[str]) -> None:
        if not len(vectors) == len(faq_ids) == len(kinds):
            raise ValueError("ExampleSimilarity: one FAQ id and one kind per vector")
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.faq_ids = np.asarray(faq_ids, dtype=str)
        # "" for a question of no particular kind.
        self.kinds = np.asarray(kinds, dtype=str)

    @classmethod
    def build(cls, examples_by_faq: Mapping[str, Sequence[str]], encoder: SentenceEncoder) -> ExampleSimilarity:
        texts = [text for examples in examples_by_faq.values() for text in examples]
        faq_ids = [faq_id for faq_id, examples in examples_by_faq.items() for _ in examples]
        return cls(encoder.encode(texts), faq_ids, [question_kind(text) or "" for text in texts])

    def similarity(self, question: np.ndarray, faq_id: str | None, kind: str | None) -> float:
        """Cosine similarity to the closest example of `faq_id` (of the same kind, if the question has one)."""
        rows = self.faq_ids == (faq_id or "")
        if kind:
            rows &= self.kinds == kind
        if not rows.any():
            return 0.0
        return float(np.clip((self.vectors[rows] @ question).max(), 0.0, 1.0))

    def save(self, directory: Path) -> None:
        np.savez(directory / _FILE, vectors=self.vectors, faq_ids=self.faq_ids, kinds=self.kinds)

    @classmethod
    def load(cls, directory: Path) -> ExampleSimilarity | None:
        path = directory / _FILE
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            return cls(data["vectors"], list(data["faq_ids"]), list(data["kinds"]))
