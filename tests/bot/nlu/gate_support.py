"""Train an FAQAnswerGate on a few examples and hand it messages as Rasa's classifiers leave them."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.faq_gate import FAQAnswerGate


def trained_gate(
    config: dict[str, Any],
    faq_id: str,
    examples: list[str],
    answer: str | None = None,
    other_faqs: dict[str, list[str]] | None = None,
) -> FAQAnswerGate:
    """A gate trained on one FAQ's examples (and answer) and any others', saved and loaded back as Rasa would."""
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    gate = FAQAnswerGate(config, storage, Resource("gate"))
    messages = [
        Message(data={"text": text, "intent": "faq", "intent_response_key": f"faq/{key}"})
        for key, texts in {faq_id: examples, **(other_faqs or {})}.items()
        for text in texts
    ]
    responses = {f"utter_faq/{faq_id}": [{"text": answer}]} if answer else {}
    gate.train(TrainingData(messages, responses=responses))
    return FAQAnswerGate.load(config, storage, Resource("gate"), None)


def incoming(text: str, faq_id: str, answer_confidence: float = 0.9) -> Message:
    """A message DIET called `faq` and the ResponseSelector answered with `faq_id`."""
    message = Message(data={"text": text})
    message.set("intent", {"name": "faq", "confidence": 0.99})
    message.set(
        "response_selector",
        {"faq": {"response": {"intent_response_key": f"faq/{faq_id}", "confidence": answer_confidence}, "ranking": []}},
    )
    return message
