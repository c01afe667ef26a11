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
from bot.nlu.faq_gate import RETRIEVAL_INTENT, faq_answer_confidence, gated_confidence
from bot.paths import CONTENT_DIR

TFIDF_SHIPPED_THRESHOLD = 0.5
STOCK_FALLBACK_THRESHOLD = 0.3  # Rasa's default FallbackClassifier threshold


def _top_intent(parse: dict) -> tuple[str | None, float]:
    ranking = parse.get("intent_ranking") or []
    if ranking:
        return ranking[0].get("name"), float(ranking[0].get("confidence") or 0.0)
    intent = parse.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def patientbot_predictions(items: Sequence[EvalItem], runner: ModelRunner, safety: SafetyLayer | None) -> list[Prediction]:
    """The shipped decision (gate, fallback, safety layer) plus the raw candidate for the sweep."""
    predictions = []
    for item in items:
        parse = runner.parse(item.text)
        red_flags = safety.red_flags(item.text) if safety else ()
        needs_clinician = safety.needs_clinician(item.text) if safety else False
        decision = decide(item.text, parse, red_flag_categories=red_flags, needs_clinician=needs_clinician)
        top_name, top_conf = _top_intent(parse)
        if top_name == RETRIEVAL_INTENT and not red_flags and not needs_clinician:
            faq_id, answer_conf, _ = faq_answer_confidence(parse)
            confidence = min(top_conf, answer_conf)
        else:
            faq_id, confidence = None, 0.0
        predictions.append(Prediction(faq_id, confidence, decision.decision == "answer" and decision.faq_id is not None))
    return predictions


def stock_predictions(items: Sequence[EvalItem], runner: ModelRunner) -> list[Prediction]:
    """Stock Rasa answers when its intent is `faq` above its default fallback threshold."""
    predictions = []
    for item in items:
        parse = runner.parse(item.text)
        top_name, top_conf = _top_intent(parse)
        if top_name == RETRIEVAL_INTENT:
            faq_id, _answer_conf, _ = faq_answer_confidence(parse)
            predictions.append(Prediction(faq_id, top_conf, top_conf >= STOCK_FALLBACK_THRESHOLD))
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


__all__ = ["patientbot_predictions", "stock_predictions", "TfidfBaseline", "gated_confidence"]
