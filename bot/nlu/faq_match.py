"""Which FAQ a question asks for, and how likely that FAQ's answer is the right one.

The ranking comes from all-MiniLM-L6-v2 sentence embeddings (bot/nlu/sentence_encoder.py):
each FAQ scores the mean cosine similarity of its two example questions closest
to the patient's question, so one stray example does not carry an FAQ. That
ranking puts the right FAQ first for most plain questions; what was missing was
a way to tell a paraphrase of an example ("what time do you close on fridays")
from a question on the same topic that the answer does not give ("how many
babies get botulism from honey each year").

That is the job of a logistic regression over a few signals that tell them apart:
how close the question is, its margin over the next FAQ, whether the FAQ's
examples and answer use the question's words (bot/nlu/faq_vocabulary.py),
whether the FAQ answers that kind of question ("why", "where",
bot/nlu/question_kind.py), whether the nearest example has the question's
polarity (bot/nlu/negation.py), and the element-wise agreement of the two
embeddings, the usual "do these two questions ask the same thing" head on a
sentence encoder.

It is trained only on the FAQs' own training examples, never on a question it
is measured on:
- each example, with itself left out, is a question whose answer is right when
  its own FAQ comes first (label 1) and wrong otherwise (label 0);
- each example again, with its whole FAQ left out, stands for a question on a
  topic near ours that no FAQ answers (label 0);
- the assistant's out-of-scope and personal-advice examples are label 0 too.
The probability is what the gate (bot/nlu/faq_gate.py) compares with its
thresholds, and the ranking is where its "did you mean" suggestions come from.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.nlu.faq_vocabulary import LemmaFn, content_words, is_known
from bot.nlu.negation import is_negated
from bot.nlu.question_kind import question_kind
from bot.nlu.sentence_encoder import SentenceEncoder

logger = logging.getLogger(__name__)

_FILE = "faq_match.npz"
# The signals, in the order of the model's first weights; the embeddings' agreement follows.
SIGNALS = (
    "closeness",
    "margin",
    "nearest",
    "known_share",
    "kind_answered",
    "same_polarity",
    "unknown_words",
    "closeness_x_margin",
    "closeness_x_known",
)
_MAX_UNKNOWN = 3
# Inverse regularisation of the logistic regression: the embedding-agreement half has
# 768 weights and ~3,300 training rows, so it is kept small (measured, docs/evaluation.md).
REGULARISATION_C = 0.1


@dataclass(frozen=True)
class FAQMatch:
    """The likeliest FAQ, the probability its answer is right, and the ranking (best first)."""

    faq_id: str
    probability: float
    ranking: tuple[tuple[str, float], ...]
    signals: dict[str, float]


@dataclass
class _Question:
    """What the matcher needs of one question, computed once."""

    vector: np.ndarray
    words: set[str]
    kind: str | None
    negated: bool


class FAQMatcher:
    """The FAQs' example embeddings, their words, and the weights that turn signals into a probability."""

    def __init__(
        self,
        vectors: np.ndarray,
        faq_ids: Sequence[str],
        kinds: Sequence[str],
        negated: Sequence[bool],
        word_counts: Mapping[str, Mapping[str, int]],
        answer_words: Mapping[str, frozenset[str]],
        weights: np.ndarray,
        intercept: float,
    ) -> None:
        if not len(vectors) == len(faq_ids) == len(kinds) == len(negated):
            raise ValueError("FAQMatcher: one FAQ id, one kind and one polarity per example vector")
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.faq_ids = np.asarray(faq_ids, dtype=str)
        self.faqs = sorted(set(self.faq_ids.tolist()))
        self._faq_index = {faq_id: i for i, faq_id in enumerate(self.faqs)}
        self._rows_faq = np.array([self._faq_index[f] for f in self.faq_ids], dtype=np.int64)
        # Row numbers of each FAQ's examples, padded with one past the last row (a score of -inf).
        widest = max((int((self._rows_faq == i).sum()) for i in range(len(self.faqs))), default=1)
        self._grid = np.full((len(self.faqs), max(widest, 1)), len(self.faq_ids), dtype=np.int64)
        for i in range(len(self.faqs)):
            rows = np.nonzero(self._rows_faq == i)[0]
            self._grid[i, : len(rows)] = rows
        self.kinds = np.asarray(kinds, dtype=str)
        self.negated = np.asarray(negated, dtype=bool)
        self.word_counts = {faq_id: Counter(dict(counts)) for faq_id, counts in word_counts.items()}
        self.answer_words = dict(answer_words)
        self.weights = np.asarray(weights, dtype=np.float64)
        self.intercept = float(intercept)

    # -- signals ---------------------------------------------------------------------------

    def _closeness(self, scores: np.ndarray) -> np.ndarray:
        """Each FAQ's mean similarity over its two closest examples (its one, if one is left); -1 for none."""
        grid = np.append(scores, -np.inf)[self._grid]
        two = -np.partition(-grid, 1, axis=1)[:, :2] if grid.shape[1] > 1 else np.repeat(grid, 2, axis=1)
        first, second = two[:, 0], two[:, 1]
        closeness = np.where(np.isfinite(second), (first + second) / 2.0, first)
        return np.where(np.isfinite(closeness), closeness, -1.0)

    def _known(self, faq_id: str, words: set[str], own_words: set[str] | None) -> frozenset[str]:
        """The FAQ's words; without `own_words`' contribution when an example is left out."""
        counts = self.word_counts.get(faq_id, Counter())
        own = own_words or set()
        return frozenset(
            {w for w, n in counts.items() if n - (1 if w in own else 0) > 0} | self.answer_words.get(faq_id, frozenset())
        )

    def _features(
        self, question: _Question, *, drop_row: int | None = None, drop_faq: str | None = None
    ) -> tuple[str, list[tuple[str, float]], np.ndarray]:
        """(likeliest FAQ, ranking, features) with one example or one whole FAQ left out (training)."""
        scores = self.vectors @ question.vector
        keep = np.ones(len(scores), dtype=bool)
        if drop_row is not None:
            keep[drop_row] = False
        if drop_faq is not None:
            keep &= self.faq_ids != drop_faq
        closeness = self._closeness(np.where(keep, scores, -np.inf))
        order = np.argsort(-closeness, kind="stable")
        best = int(order[0])
        faq_id = self.faqs[best]
        ranking = [(self.faqs[i], float(closeness[i])) for i in order[:3] if closeness[i] > -1.0]
        second = float(closeness[order[1]]) if len(order) > 1 else 0.0
        rows = np.nonzero(keep & (self._rows_faq == best))[0]
        nearest_row = int(rows[np.argmax(scores[rows])])
        own_words = None
        if drop_row is not None and self.faq_ids[drop_row] == faq_id:
            own_words = question.words
        known = self._known(faq_id, question.words, own_words)
        unknown = sum(1 for word in question.words if not is_known(word, known))
        known_share = 1.0 - unknown / len(question.words) if question.words else 1.0
        kinds = set(self.kinds[rows].tolist()) - {""}
        kind_answered = 1.0 if question.kind is None or question.kind in kinds else 0.0
        same_polarity = 1.0 if bool(self.negated[nearest_row]) == question.negated else 0.0
        top = float(closeness[best])
        margin = top - second
        signals = np.array(
            [
                top,
                margin,
                float(scores[nearest_row]),
                known_share,
                kind_answered,
                same_polarity,
                float(min(unknown, _MAX_UNKNOWN)),
                top * margin,
                top * known_share,
            ]
        )
        example = self.vectors[nearest_row]
        agreement = np.concatenate([np.abs(question.vector - example), question.vector * example])
        return faq_id, ranking, np.concatenate([signals, agreement])

    def _probability(self, features: np.ndarray) -> float:
        return float(1.0 / (1.0 + np.exp(-(features @ self.weights + self.intercept))))

    def match(self, vector: np.ndarray, text: str, lemmas: LemmaFn) -> FAQMatch:
        """The likeliest FAQ for a question, with the probability that answering it is right."""
        question = _question(vector, text, lemmas)
        faq_id, ranking, features = self._features(question)
        signals = {name: round(float(value), 4) for name, value in zip(SIGNALS, features)}
        return FAQMatch(faq_id, self._probability(features), tuple(ranking), signals)

    # -- training --------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        examples_by_faq: Mapping[str, Sequence[str]],
        answers_by_faq: Mapping[str, str],
        negatives: Sequence[str],
        encoder: SentenceEncoder,
        lemmas: LemmaFn,
    ) -> FAQMatcher:
        """Learn the weights from the examples alone (see the module docstring for the rows)."""
        from sklearn.linear_model import LogisticRegression

        texts = [text for examples in examples_by_faq.values() for text in examples]
        faq_ids = [faq_id for faq_id, examples in examples_by_faq.items() for _ in examples]
        vectors = encoder.encode(texts)
        words = [content_words(text, lemmas) for text in texts]
        counts: dict[str, Counter[str]] = {faq_id: Counter() for faq_id in examples_by_faq}
        for faq_id, example_words in zip(faq_ids, words):
            counts[faq_id].update(example_words)
        answer_words = {faq_id: frozenset(content_words(answers_by_faq.get(faq_id, ""), lemmas)) for faq_id in counts}
        untrained = cls(
            vectors,
            faq_ids,
            [question_kind(t) or "" for t in texts],
            [is_negated(t) for t in texts],
            counts,
            answer_words,
            np.zeros(len(SIGNALS) + 2 * vectors.shape[1]),
            0.0,
        )
        rows, labels = [], []
        for row, (text, faq_id, example_words) in enumerate(zip(texts, faq_ids, words)):
            question = _Question(vectors[row], example_words, question_kind(text), is_negated(text))
            chosen, _ranking, features = untrained._features(question, drop_row=row)
            rows.append(features)
            labels.append(int(chosen == faq_id))
            _other, _ranking, features = untrained._features(question, drop_faq=faq_id)
            rows.append(features)
            labels.append(0)
        negative_vectors: Any = encoder.encode(list(negatives)) if negatives else []
        for text, vector in zip(negatives, negative_vectors):
            _chosen, _ranking, features = untrained._features(_question(vector, text, lemmas))
            rows.append(features)
            labels.append(0)
        model = LogisticRegression(C=REGULARISATION_C, max_iter=5000).fit(np.array(rows), np.array(labels))
        logger.info("FAQ matcher fitted on %d rows (%d right answers)", len(labels), sum(labels))
        untrained.weights = model.coef_[0].astype(np.float64)
        untrained.intercept = float(model.intercept_[0])
        return untrained

    # -- storage ---------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        vocabulary = sorted({w for counts in self.word_counts.values() for w in counts} | {
            w for words in self.answer_words.values() for w in words
        })
        position = {w: i for i, w in enumerate(vocabulary)}
        count_rows = [
            (self._faq_index[faq_id], position[w], n) for faq_id, counts in self.word_counts.items() for w, n in counts.items()
        ]
        answer_rows = [(self._faq_index[faq_id], position[w]) for faq_id, words in self.answer_words.items() for w in words]
        np.savez(
            directory / _FILE,
            vectors=self.vectors,
            faq_ids=self.faq_ids,
            kinds=self.kinds,
            negated=self.negated,
            faqs=np.asarray(self.faqs, dtype=str),
            vocabulary=np.asarray(vocabulary, dtype=str),
            counts=np.asarray(count_rows, dtype=np.int64).reshape(-1, 3),
            answers=np.asarray(answer_rows, dtype=np.int64).reshape(-1, 2),
            weights=self.weights,
            intercept=np.asarray([self.intercept]),
        )

    @classmethod
    def load(cls, directory: Path) -> FAQMatcher | None:
        """The saved matcher, or None when the model was trained without one."""
        path = directory / _FILE
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            faqs = [str(f) for f in data["faqs"]]
            vocabulary = [str(w) for w in data["vocabulary"]]
            counts: dict[str, dict[str, int]] = {faq_id: {} for faq_id in faqs}
            for faq, word, n in data["counts"]:
                counts[faqs[int(faq)]][vocabulary[int(word)]] = int(n)
            answers: dict[str, set[str]] = {faq_id: set() for faq_id in faqs}
            for faq, word in data["answers"]:
                answers[faqs[int(faq)]].add(vocabulary[int(word)])
            return cls(
                data["vectors"],
                [str(f) for f in data["faq_ids"]],
                [str(k) for k in data["kinds"]],
                [bool(n) for n in data["negated"]],
                counts,
                {faq_id: frozenset(words) for faq_id, words in answers.items()},
                data["weights"],
                float(data["intercept"][0]),
            )


def _question(vector: np.ndarray, text: str, lemmas: LemmaFn) -> _Question:
    return _Question(np.asarray(vector, dtype=np.float32), content_words(text, lemmas), question_kind(text), is_negated(text))
