"""The second red-flag detector: emergencies recognised by meaning, not by listed wording.

The rules (bot.safety.detector) are precise on phrasings somebody wrote down and
blind to the rest: "my diabetic husband is shaky, sweaty and confused" names no
pattern. This detector embeds the message with the sentence encoder the project
already ships (all-MiniLM-L6-v2) and scores it with a multinomial logistic
regression over "none" and every red-flag category, learned at set-up time
from the project's own labelled messages:

* emergencies: the labelled set's emergency rows, and the rows of every test
  batch that has been measured frozen and then learned (eval/safety/batches,
  listed in learned.txt);
* calm messages: the labelled set's negated, hypothetical, historical,
  general-question, non-urgent and FAQ-like rows, and the FAQ examples that
  Rasa trains on.

It is tuned for recall and never runs alone: bot.safety.net combines it with
the rules, with ConText's negation, history and family verdicts, and with the
urgency signs (bot.safety.urgency). Below its bars, a probability over
`URGENT_AT` is one of the signs that puts a message the bot cannot understand
in the "possibly urgent" tier.

The fitted weights are kept in build/safety/ with a fingerprint of what they
were fitted on and of the encoder, and refitted when either changes.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from bot import paths

logger = logging.getLogger(__name__)

NONE = "none"
# The probability that a message is an emergency (1 - P(none)) from which it is flagged
# when it also carries a sign of urgency (bot.safety.urgency), and from which it is
# flagged on its own. The embedding tells the topic better than the severity ("my nose
# bled a little" sits next to "I can't stop the bleeding"), hence the two bars. Chosen on
# five-fold cross-validation of the training examples (docs/safety.md).
FLAG_AT = 0.5
FLAG_ALONE_AT = 0.8
# The likeliest category's own probability needed for a flag.
CATEGORY_AT = 0.4
# From this probability a message no detector flags counts as possibly urgent.
URGENT_AT = 0.5
# Logistic regression's inverse regularisation, chosen by five-fold log loss on the examples
# (0.312 at 0.1 against 0.457 at 10, the earlier setting: less sure of messages unlike any example).
REGULARISATION = 0.1

LABELLED_PATH = paths.ROOT / "tests" / "data" / "safety" / "labelled.tsv"
BATCHES_DIR = paths.EVAL_DIR / "safety" / "batches"
LEARNED_LIST = BATCHES_DIR / "learned.txt"
MODEL_PATH = paths.BUILD_DIR / "safety" / "semantic_detector.npz"
EMERGENCY_KINDS = frozenset({"emergency", "other_person_emergency"})


class Encoder(Protocol):
    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray: ...


@dataclass(frozen=True)
class Example:
    """One training message: its text and its class ("none" or a category id)."""

    text: str
    label: str


@dataclass(frozen=True)
class SemanticVerdict:
    """Emergency probability of one message, and the likeliest category."""

    probability: float
    category: str | None
    category_probability: float = 0.0

    def is_emergency(self, *, has_urgency_sign: bool) -> bool:
        """Flagged: over the lower bar with a sign of urgency, or over the higher one alone.

        The likeliest category must also stand out (`CATEGORY_AT`): a vague message
        ("it came on all of a sudden") spreads its probability over many categories,
        and guidance for the wrong one is worse than the possibly-urgent tier.
        """
        bar = FLAG_AT if has_urgency_sign else FLAG_ALONE_AT
        return (
            self.probability >= bar
            and self.category is not None
            and self.category_probability >= CATEGORY_AT
        )

    @property
    def is_possibly_urgent(self) -> bool:
        return self.probability >= URGENT_AT


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a labelled safety file (category, kind, text), tab-separated with a header."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def examples_from_rows(rows: Iterable[dict[str, str]]) -> list[Example]:
    """Labelled rows as training examples: an emergency row's class is its category."""
    out = []
    for row in rows:
        text = (row.get("text") or "").strip()
        if not text:
            continue
        label = row["category"] if row.get("kind") in EMERGENCY_KINDS else NONE
        out.append(Example(text, label))
    return out


def learned_batches(batches_dir: Path = BATCHES_DIR) -> list[Path]:
    """Test batches that were measured frozen and then learned, as listed in learned.txt."""
    listing = batches_dir / LEARNED_LIST.name
    if not listing.exists():
        return []
    names = [line.strip() for line in listing.read_text(encoding="utf-8").splitlines()]
    return [batches_dir / name for name in names if name and not name.startswith("#")]


def content_questions(content_dir: Path = paths.CONTENT_DIR) -> list[str]:
    """The FAQ examples that Rasa trains on: calm messages all.

    The held-out examples and the near-topic questions are left out: `patientbot
    eval` measures on them, the urgent tier's rate on plain questions included.
    """
    from bot.content.compiler import split_examples
    from bot.content.loader import load_content

    entries, _ = load_content(content_dir)
    out: list[str] = []
    for entry in entries:
        if entry.kind == "faq":
            out.extend(split_examples(entry)[0])
    return out


def training_examples(
    *,
    labelled_path: Path = LABELLED_PATH,
    batches_dir: Path = BATCHES_DIR,
    content_dir: Path = paths.CONTENT_DIR,
) -> list[Example]:
    """Everything the detector learns from, in a stable order."""
    examples = examples_from_rows(read_tsv(labelled_path))
    for batch in learned_batches(batches_dir):
        examples += examples_from_rows(read_tsv(batch))
    examples += [Example(text, NONE) for text in content_questions(content_dir)]
    return examples


def fingerprint(examples: Sequence[Example], encoder_id: str) -> str:
    """What a fitted model depends on: its examples, its settings and the encoder."""
    digest = hashlib.sha256()
    digest.update(json.dumps([REGULARISATION, encoder_id]).encode())
    for example in examples:
        digest.update(f"{example.label}\t{example.text}\n".encode())
    return digest.hexdigest()


class SemanticDetector:
    """Scores a message's emergency probability with fitted weights over its sentence embedding."""

    def __init__(self, encoder: Encoder, classes: Sequence[str], coef: np.ndarray, intercept: np.ndarray) -> None:
        if NONE not in classes:
            raise ValueError("the detector needs a 'none' class")
        self._encoder = encoder
        self.classes = tuple(classes)
        self._coef = np.asarray(coef, dtype=np.float32)
        self._intercept = np.asarray(intercept, dtype=np.float32)
        self._none = self.classes.index(NONE)

    @classmethod
    def fit(cls, encoder: Encoder, examples: Sequence[Example]) -> SemanticDetector:
        """Fit the regression on the examples' embeddings (a few seconds)."""
        from sklearn.linear_model import LogisticRegression

        vectors = encoder.encode([e.text for e in examples])
        labels = [e.label for e in examples]
        # Emergencies as a whole weigh as much as calm messages as a whole, each category
        # an equal share of that; weighting every category up to the size of "none"
        # made the rare ones swallow everyday messages.
        counts = Counter(labels)
        calm = counts.pop(NONE, 0)
        weights = np.array([1.0 if label == NONE else calm / (len(counts) * counts[label]) for label in labels])
        # Scaled to a mean of one, so REGULARISATION means what it says and lbfgs converges
        # (unscaled, its line search gave up and the weights depended on rounding).
        weights /= weights.mean()
        # Standardised features: unit-length embeddings vary little per dimension, and
        # unscaled the solver stopped short, at weights that depended on BLAS rounding.
        x = vectors.astype(np.float64)
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
        model = LogisticRegression(C=REGULARISATION, max_iter=5000)
        model.fit((x - mean) / scale, labels, sample_weight=weights)
        coef = model.coef_ / scale  # folded back, so a message is scored on its raw embedding
        intercept = model.intercept_ - coef @ mean
        return cls(encoder, [str(c) for c in model.classes_], coef, intercept)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Class probabilities, one row per embedding (softmax of the linear scores)."""
        scores = vectors @ self._coef.T + self._intercept
        scores -= scores.max(axis=1, keepdims=True)
        weights = np.exp(scores)
        return weights / weights.sum(axis=1, keepdims=True)

    def verdicts(self, texts: Sequence[str]) -> list[SemanticVerdict]:
        """One verdict per text (batched: evaluation runs thousands)."""
        if not texts:
            return []
        out = []
        for row in self.probabilities(self._encoder.encode(list(texts))):
            emergency = float(1.0 - row[self._none])
            ranked = [i for i in np.argsort(-row) if i != self._none]
            top = ranked[0] if ranked else None
            out.append(
                SemanticVerdict(
                    emergency,
                    self.classes[top] if top is not None else None,
                    float(row[top]) if top is not None else 0.0,
                )
            )
        return out

    def check(self, text: str) -> SemanticVerdict:
        """The verdict on one message."""
        return self.verdicts([text])[0]

    def save(self, path: Path, stamp: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, classes=np.array(self.classes), coef=self._coef, intercept=self._intercept, stamp=np.array(stamp))
        tmp.replace(path)

    @classmethod
    def load(cls, encoder: Encoder, path: Path, stamp: str) -> SemanticDetector | None:
        """The saved detector if it was fitted on exactly these examples, else None."""
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as saved:
                if str(saved["stamp"]) != stamp:
                    return None
                return cls(encoder, [str(c) for c in saved["classes"]], saved["coef"], saved["intercept"])
        except (OSError, KeyError, ValueError):
            logger.warning("saved semantic detector unreadable; refitting", exc_info=True)
            return None


def load_or_fit(
    encoder: Encoder, examples: Sequence[Example], encoder_id: str, path: Path = MODEL_PATH
) -> SemanticDetector:
    """The detector for these examples: loaded when saved for them, else fitted and saved."""
    stamp = fingerprint(examples, encoder_id)
    detector = SemanticDetector.load(encoder, path, stamp)
    if detector is None:
        logger.info("fitting the semantic red-flag detector on %d examples", len(examples))
        detector = SemanticDetector.fit(encoder, examples)
        detector.save(path, stamp)
    return detector


@functools.lru_cache(maxsize=2)
def shared_semantic_detector(path: Path = MODEL_PATH) -> SemanticDetector:
    """The process's detector, on the shipped encoder and the project's examples.

    Raises bot.nlu.embedding_model.EmbeddingModelError if the encoder's files are
    missing (`make setup` fetches them): a safety layer that cannot load must say so.
    """
    from bot.nlu.embedding_model import EMBEDDING_MODEL_DIR, file_sha256, shared_encoder

    encoder = shared_encoder()
    encoder_id = file_sha256(EMBEDDING_MODEL_DIR / "model.safetensors")
    return load_or_fit(encoder, training_examples(), encoder_id, path)
