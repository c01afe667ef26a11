"""A Rasa NLU component that answers an FAQ only when two different readers agree.

Rasa's FallbackClassifier only looks at the intent confidence. For retrieval
intents that is the confidence of "this is some FAQ", which is high for almost
any health question, including the many we have no answer for. The answer is
chosen by the ResponseSelector, a neural model trained on a few examples per
FAQ, whose mistakes are confident as often as not.

The gate adds a second, independent reader: TF-IDF nearest neighbour over the
same training examples (word and character n-grams). The assistant answers
only when (1) the intent is `faq`, (2) the ResponseSelector and the nearest
neighbour pick the same FAQ, and (3) the weaker of the intent and answer
confidences clears the threshold. Otherwise the message becomes
`nlu_fallback` and the patient is asked to rephrase or offered a clinician
instead of getting a guess. `patientbot eval` measures what this buys against
stock Rasa (README, "Choosing the pipeline").
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
RETRIEVAL_INTENT = "faq"
GATE_KEY = "faq_gate"
_MODEL_FILE = "nearest_neighbour.pkl"


def faq_answer_confidence(parse_data: dict[str, Any]) -> tuple[str | None, float, float]:
    """(faq id, confidence, margin over the runner-up) of the ResponseSelector's pick."""
    selectors = parse_data.get("response_selector") or {}
    # A ResponseSelector configured without `retrieval_intent` (stock Rasa) reports as "default".
    selector = selectors.get(RETRIEVAL_INTENT) or selectors.get("default") or {}
    response = selector.get("response") or {}
    key = response.get("intent_response_key") or ""
    faq_id = key.split("/", 1)[1] if "/" in key else None
    ranking = selector.get("ranking") or []
    top = float(response.get("confidence") or 0.0)
    second = float(ranking[1]["confidence"]) if len(ranking) > 1 else 0.0
    return faq_id, top, top - second


def faq_intent_confidence(parse_data: dict[str, Any]) -> float:
    """Confidence that the message is an FAQ at all, even if a fallback replaced the intent."""
    for entry in parse_data.get("intent_ranking") or []:
        if entry.get("name") == RETRIEVAL_INTENT:
            return float(entry.get("confidence") or 0.0)
    intent = parse_data.get("intent") or {}
    return float(intent.get("confidence") or 0.0) if intent.get("name") == RETRIEVAL_INTENT else 0.0


def gated_confidence(parse_data: dict[str, Any]) -> float:
    """One number for "how sure are we of this FAQ answer"; 0 when the two readers disagree."""
    gate = parse_data.get(GATE_KEY)
    if gate is not None:
        return float(gate.get("confidence") or 0.0)
    _faq_id, answer_confidence, _margin = faq_answer_confidence(parse_data)
    return min(faq_intent_confidence(parse_data), answer_confidence)


class NearestNeighbour:
    """TF-IDF (word 1-2 grams + character 2-4 grams) nearest training example."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_union

        self.vectorizer = make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
        )
        self.labels: list[str] = []
        self.matrix: Any = None

    def fit(self, texts: list[str], labels: list[str]) -> NearestNeighbour:
        self.labels = list(labels)
        self.matrix = self.vectorizer.fit_transform(texts)
        return self

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        if self.matrix is None or not self.labels:
            return [("", 0.0) for _ in texts]
        scores = (self.vectorizer.transform(texts) @ self.matrix.T).toarray() / 2.0
        best = scores.argmax(axis=1)
        return [(self.labels[i], float(np.clip(scores[row, i], 0.0, 1.0))) for row, i in enumerate(best)]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FAQAnswerGate(GraphComponent):
    """Turns FAQ answers that are unsure or contested into `nlu_fallback`; after the ResponseSelector."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"threshold": 0.5, "require_agreement": True}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        neighbour: NearestNeighbour | None = None,
    ) -> None:
        self.threshold = float(config["threshold"])
        self.require_agreement = bool(config["require_agreement"])
        self._model_storage = model_storage
        self._resource = resource
        self.neighbour = neighbour or NearestNeighbour()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FAQAnswerGate:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FAQAnswerGate:
        try:
            with model_storage.read_from(resource) as directory:
                neighbour = pickle.loads((directory / _MODEL_FILE).read_bytes())
        except (ValueError, FileNotFoundError):
            logger.warning("FAQAnswerGate has no trained data; every FAQ answer will need agreement it cannot get")
            neighbour = None
        return cls(config, model_storage, resource, neighbour)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for example in training_data.intent_examples:
            if example.get("intent") != RETRIEVAL_INTENT:
                continue
            key = example.get("intent_response_key") or ""
            if "/" in key and example.get("text"):
                texts.append(example.get("text"))
                labels.append(key.split("/", 1)[1])
        if texts:
            self.neighbour.fit(texts, labels)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _MODEL_FILE).write_bytes(pickle.dumps(self.neighbour))
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        candidates = [m for m in messages if (m.get("intent") or {}).get("name") == RETRIEVAL_INTENT]
        if not candidates:
            return messages
        neighbours = self.neighbour.predict([m.get("text") or "" for m in candidates])
        for message, (neighbour_faq, similarity) in zip(candidates, neighbours):
            intent = message.get("intent") or {}
            parse = {"intent": intent, "response_selector": message.get("response_selector")}
            faq_id, answer_confidence, _margin = faq_answer_confidence(parse)
            agree = faq_id is not None and faq_id == neighbour_faq
            confidence = min(float(intent.get("confidence") or 0.0), answer_confidence)
            if self.require_agreement and not agree:
                confidence = 0.0
            message.set(
                GATE_KEY,
                {"faq_id": faq_id, "confidence": confidence, "agree": agree,
                 "neighbour_faq": neighbour_faq, "neighbour_similarity": round(similarity, 4)},
                add_to_output=True,
            )
            if confidence < self.threshold:
                message.set("intent", {"name": FALLBACK_INTENT, "confidence": 1.0 - confidence}, add_to_output=True)
        return messages


def top_intent(parse_data: dict[str, Any]) -> str | None:
    """The classifier's own top intent, looking past any fallback that replaced it."""
    for entry in parse_data.get("intent_ranking") or []:
        if entry.get("name") != FALLBACK_INTENT:
            return entry.get("name")
    return (parse_data.get("intent") or {}).get("name")


def faq_candidate(parse_data: dict[str, Any]) -> tuple[str | None, float]:
    """The FAQ the model would answer with and its gated confidence, even if it abstained.

    Evaluation moves a threshold over this confidence to draw precision against coverage.
    """
    if top_intent(parse_data) != RETRIEVAL_INTENT:
        return None, 0.0
    faq_id, _confidence, _margin = faq_answer_confidence(parse_data)
    return faq_id, gated_confidence(parse_data)
