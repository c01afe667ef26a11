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
Likewise a negated question is compared only with negated examples and a plain
one only with plain ones (bot/nlu/negation.py): the embedding barely sees a
"not", so "why is there no vaccine" comes close to "why do vaccines get updated".

A question that is a near paraphrase of one of the chosen FAQ's examples (cosine
at least the gate's `paraphrase_similarity`), closer to it than to any other
FAQ's example, is answered even when the classifiers' confidence is lower: the
two readers agree, and the embedding has seen the question asked that way.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.nlu.negation import is_negated
from bot.nlu.question_kind import question_kind
from bot.nlu.sentence_encoder import SentenceEncoder

logger = logging.getLogger(__name__)

_FILE = "example_embeddings.npz"


@dataclass(frozen=True)
class Match:
    """The closest example of the chosen FAQ, and whether no other FAQ's example came closer."""

    similarity: float
    nearest_of_all: bool


class ExampleSimilarity:
    """The embeddings of every FAQ's example questions, with each one's FAQ, question kind and polarity."""

    def __init__(
        self, vectors: np.ndarray, faq_ids: Sequence[str], kinds: Sequence[str], negated: Sequence[bool]
    ) -> None:
        if not len(vectors) == len(faq_ids) == len(kinds) == len(negated):
            raise ValueError("ExampleSimilarity: one FAQ id, one kind and one polarity per vector")
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.faq_ids = np.asarray(faq_ids, dtype=str)
        # "" for a question of no particular kind.
        self.kinds = np.asarray(kinds, dtype=str)
        self.negated = np.asarray(negated, dtype=bool)

    @classmethod
    def build(cls, examples_by_faq: Mapping[str, Sequence[str]], encoder: SentenceEncoder) -> ExampleSimilarity:
        texts = [text for examples in examples_by_faq.values() for text in examples]
        faq_ids = [faq_id for faq_id, examples in examples_by_faq.items() for _ in examples]
        kinds = [question_kind(text) or "" for text in texts]
        return cls(encoder.encode(texts), faq_ids, kinds, [is_negated(text) for text in texts])

    def similarity(self, question: np.ndarray, faq_id: str | None, kind: str | None, negated: bool) -> float:
        """Cosine similarity to the closest example of `faq_id` of the question's kind (if any) and polarity."""
        return self.match(question, faq_id, kind, negated).similarity

    def match(self, question: np.ndarray, faq_id: str | None, kind: str | None, negated: bool) -> Match:
        """How close the question comes to `faq_id`, and whether that FAQ holds its closest example of all."""
        rows = self.negated == negated
        if kind:
            rows &= self.kinds == kind
        if not rows.any():
            return Match(0.0, False)
        scores = np.clip(self.vectors[rows] @ question, 0.0, 1.0)
        owners = self.faq_ids[rows]
        own = owners == (faq_id or "")
        if not own.any():
            return Match(0.0, False)
        return Match(float(scores[own].max()), bool(owners[int(scores.argmax())] == faq_id))

    def save(self, directory: Path) -> None:
        np.savez(
            directory / _FILE, vectors=self.vectors, faq_ids=self.faq_ids, kinds=self.kinds, negated=self.negated
        )

    @classmethod
    def load(cls, directory: Path) -> ExampleSimilarity | None:
        """The saved embeddings; None if there are none, or none with the labels this check needs."""
        path = directory / _FILE
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            if "negated" not in data.files:
                logger.warning("%s predates the polarity check: retrain the model (make setup)", path.name)
                return None
            return cls(data["vectors"], list(data["faq_ids"]), list(data["kinds"]), list(data["negated"]))
