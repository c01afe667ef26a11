"""A Rasa NLU component that abstains when the chosen FAQ answer is not clearly right.

Rasa's FallbackClassifier only looks at the intent confidence. For retrieval
intents that is the confidence of "this is some FAQ", which is high for almost
any health question, including the many we have no answer for. The answer is
chosen by the ResponseSelector, so the gate also requires the selector's
confidence in that particular answer and a margin over the runner-up; below
either, the message becomes `nlu_fallback` and the patient is asked to rephrase
or offered a clinician instead of getting a guess.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

FALLBACK_INTENT = "nlu_fallback"
RETRIEVAL_INTENT = "faq"


def faq_answer_confidence(parse_data: dict[str, Any]) -> tuple[str | None, float, float]:
    """(faq id, confidence, margin over the runner-up) of the ResponseSelector's pick."""
    selector = (parse_data.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    response = selector.get("response") or {}
    key = response.get("intent_response_key") or ""
    faq_id = key.split("/", 1)[1] if "/" in key else None
    ranking = selector.get("ranking") or []
    top = float(response.get("confidence") or 0.0)
    second = float(ranking[1]["confidence"]) if len(ranking) > 1 else 0.0
    return faq_id, top, top - second


def gated_confidence(parse_data: dict[str, Any]) -> float:
    """One number for "how sure are we of this FAQ answer": the weaker of intent and answer."""
    intent_confidence = float((parse_data.get("intent") or {}).get("confidence") or 0.0)
    _faq_id, answer_confidence, _margin = faq_answer_confidence(parse_data)
    return min(intent_confidence, answer_confidence)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FAQConfidenceGate(GraphComponent):
    """Turns unsure FAQ answers into `nlu_fallback`; place it after the ResponseSelector."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"threshold": 0.6, "min_margin": 0.0}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FAQConfidenceGate:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        self.threshold = float(config["threshold"])
        self.min_margin = float(config["min_margin"])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get("intent") or {}
            if intent.get("name") != RETRIEVAL_INTENT:
                continue
            parse = {"intent": intent, "response_selector": message.get("response_selector")}
            _faq_id, _confidence, margin = faq_answer_confidence(parse)
            confidence = gated_confidence(parse)
            if confidence < self.threshold or margin < self.min_margin:
                message.set(
                    "intent",
                    {"name": FALLBACK_INTENT, "confidence": 1.0 - confidence},
                    add_to_output=True,
                )
        return messages
