"""The gate's vocabulary check: an answer that never uses the question's words is not confident."""

from __future__ import annotations

import tempfile
from pathlib import Path

from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.faq_gate import FAQAnswerGate
from bot.nlu.faq_vocabulary import FAQVocabulary, content_words, spacy_lemmas


def test_content_words_are_lemmas_without_stop_words_or_short_tokens() -> None:
    lemmas = spacy_lemmas()
    assert content_words("Can COVID spread through mosquitoes?", lemmas) == {
        "covid", "spread", "mosquito"
    }
    assert content_words("is it for me?", lemmas) == set()


def test_known_share_counts_the_question_words_the_faq_uses() -> None:
    vocabulary = FAQVocabulary({"covid_spread": frozenset({"covid", "spread", "droplet"})})
    assert vocabulary.known_share("covid_spread", {"covid", "spread"}) == 1.0
    assert vocabulary.known_share("covid_spread", {"covid", "spread", "mosquito"}) == 2 / 3
    assert vocabulary.known_share("covid_spread", set()) == 1.0  # nothing to check against
    assert vocabulary.known_share("unknown_faq", {"covid"}) == 0.0


def test_the_gate_scales_its_confidence_by_the_share_and_learns_words_from_answers() -> None:
    config = {"threshold": 0.5, "require_agreement": False, "vocabulary_weight": 1.0}
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    gate = FAQAnswerGate(config, storage, Resource("gate"))
    examples = [
        Message(data={"text": text, "intent": "faq", "intent_response_key": "faq/covid_spread"})
        for text in ("how does covid spread", "can i catch covid from someone")
    ]
    answer = [{"text": "COVID-19 spreads through droplets and aerosols when people breathe."}]
    gate.train(TrainingData(examples, responses={"utter_faq/covid_spread": answer}))
    loaded = FAQAnswerGate.load(config, storage, Resource("gate"), None)

    def incoming(text: str) -> Message:
        message = Message(data={"text": text})
        message.set("intent", {"name": "faq", "confidence": 0.99})
        message.set(
            "response_selector",
            {"faq": {"response": {"intent_response_key": "faq/covid_spread", "confidence": 0.9},
                     "ranking": []}},
        )
        return message

    covered = incoming("does covid spread by droplets")  # "droplet" comes from the answer
    uncovered = incoming("can mosquitoes or ticks carry covid")
    loaded.process([covered, uncovered])
    assert covered.get("intent")["name"] == "faq"
    assert covered.get("faq_gate")["known_words"] == 1.0
    assert covered.get("faq_gate")["confidence"] == 0.9
    assert uncovered.get("intent")["name"] == "nlu_fallback"
    assert uncovered.get("faq_gate")["known_words"] == 0.25  # covid of mosquito, tick, carry, covid
    assert round(uncovered.get("faq_gate")["confidence"], 3) == round(0.9 * 0.25, 3)
