"""The three systems compared side by side: PatientBot, stock Rasa and a TF-IDF baseline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_union

from bot.content.compiler import served_faqs, split_examples
from bot.content.loader import load_content
from bot.evaluation.datasets import EvalItem
from bot.evaluation.metrics import Prediction
from bot.nlu.classifier import ModelRunner, SafetyLayer
from bot.nlu.decision import decide
from bot.nlu.faq_gate import (
    RETRIEVAL_INTENT,
    faq_answer_confidence,
    faq_candidate,
    faq_intent_confidence,
    top_intent,
)
from bot.paths import CONTENT_DIR

TFIDF_SHIPPED_THRESHOLD = 0.5
# The decisions whose reply is "not understood" (ask to rephrase, "did you mean", cannot help),
# and the one the gateway puts in their place when the message may be urgent.
NOT_UNDERSTOOD = frozenset({"suggest", "clarify"})
URGENT = "urgent"
STOCK_FALLBACK_THRESHOLD = 0.3  # Rasa's default FallbackClassifier threshold


def patientbot_predictions(items: Sequence[EvalItem], runner: ModelRunner, safety: SafetyLayer | None) -> list[Prediction]:
    """The shipped decision (gate, fallback, safety layer) plus the raw candidate for the sweep."""
    predictions = []
    titles = runner.faq_titles()
    for item in items:
        parse = runner.parse(item.text)
        red_flags = safety.red_flags(item.text) if safety else ()
        needs_clinician = safety.needs_clinician(item.text) if safety else False
        decision = decide(
            item.text, parse, red_flag_categories=red_flags, needs_clinician=needs_clinician, titles=titles
        )
        if red_flags or needs_clinician:
            faq_id, confidence = None, 0.0
        else:
            faq_id, confidence = faq_candidate(parse)
        answered = decision.decision == "answer" and decision.faq_id is not None
        offered = tuple(faq_id for faq_id, _title in decision.suggestions)
        name: str = decision.decision
        if safety is not None and name in NOT_UNDERSTOOD and _possibly_urgent(item.text):
            # What the gateway does (bot.gateway.rasa_exchange): a message it cannot answer that carries
            # signs of urgency gets the "possibly urgent" reply and an urgent handoff, no offers.
            name, offered = URGENT, ()
        predictions.append(Prediction(faq_id, confidence, answered, name, decision.intent, offered))
    return predictions


def _possibly_urgent(text: str) -> bool:
    from bot.safety.net import get_safety_net

    return get_safety_net().check(text).is_possibly_urgent


def stock_predictions(items: Sequence[EvalItem], runner: ModelRunner) -> list[Prediction]:
    """Stock Rasa answers when its intent is `faq` above its default fallback threshold.

    Its own measure of certainty is the intent confidence, so that is what the sweep moves over.
    """
    predictions = []
    for item in items:
        parse = runner.parse(item.text)
        if top_intent(parse) == RETRIEVAL_INTENT:
            faq_id, _answer_conf, _ = faq_answer_confidence(parse)
            # Shipped: Rasa's FallbackClassifier (threshold and ambiguity) left the intent as `faq`.
            answered = (parse.get("intent") or {}).get("name") == RETRIEVAL_INTENT
            predictions.append(Prediction(faq_id, faq_intent_confidence(parse), answered))
        else:
            predictions.append(Prediction(None, 0.0, False))
    return predictions


class TfidfBaseline:
    """Nearest training example by TF-IDF cosine (word and character n-grams)."""

    def __init__(self, content_dir=CONTENT_DIR) -> None:  # type: ignore[no-untyped-def]
        entries, _ = load_content(content_dir)
        served, _ = served_faqs(entries, today=date.today())
        self.labels: list[str] = []
        texts: list[str] = []
        for entry in served:
            training, _heldout = split_examples(entry)
            texts.extend(training)
            self.labels.extend([entry.id] * len(training))
        self.vectorizer = make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
        )
        self.matrix = self.vectorizer.fit_transform(texts)

    def predict(self, items: Sequence[EvalItem], threshold: float = TFIDF_SHIPPED_THRESHOLD) -> list[Prediction]:
        queries = self.vectorizer.transform([i.text for i in items])
        # Both blocks are L2-normalised; the union's dot product is their sum, so halve it.
        scores = (queries @ self.matrix.T).toarray() / 2.0
        best = scores.argmax(axis=1)
        predictions = []
        for row, index in enumerate(best):
            confidence = float(np.clip(scores[row, index], 0.0, 1.0))
            predictions.append(Prediction(self.labels[index], confidence, confidence >= threshold))
        return predictions


