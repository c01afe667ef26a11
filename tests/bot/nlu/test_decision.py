"""Decisions from Rasa's parse data: safety first, never an FAQ for personal advice, gate on the answer."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.decision import decide
from bot.nlu.faq_gate import FAQAnswerGate


def parse(
    intent: str,
    confidence: float,
    answer: str | None = None,
    answer_conf: float = 0.0,
    runner_up: float = 0.0,
) -> dict:
    data = {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    if answer:
        data["response_selector"] = {
            "faq": {
                "response": {"intent_response_key": f"faq/{answer}", "confidence": answer_conf},
                "ranking": [
                    {"intent_response_key": f"faq/{answer}", "confidence": answer_conf},
                    {"intent_response_key": "faq/other", "confidence": runner_up},
                ],
            }
        }
    return data


def test_faq_answer_reports_the_weaker_confidence() -> None:
    decision = decide("when are you open", parse("faq", 0.99, "opening_hours", 0.8))
    assert (decision.decision, decision.faq_id, decision.intent) == (
        "answer",
        "opening_hours",
        "faq/opening_hours",
    )
    assert decision.confidence == 0.8


def test_red_flag_overrides_any_answer() -> None:
    decision = decide(
        "chest pain",
        parse("faq", 0.99, "opening_hours", 0.99),
        red_flag_categories=("heart_attack",),
    )
    assert decision.decision == "emergency" and decision.faq_id is None
    assert decision.as_json()["red_flags"] == ["heart_attack"]


def test_personal_advice_is_never_answered_from_faqs() -> None:
    guarded = decide(
        "can i stop my statins",
        parse("faq", 0.95, "taking_medicines_safely", 0.9),
        needs_clinician=True,
    )
    assert guarded.decision == "handoff" and guarded.faq_id is None
    assert decide("is this rash cancer", parse("personal_advice", 0.9)).decision == "handoff"


def test_fallback_and_out_of_scope_ask_to_rephrase_small_talk_answers() -> None:
    assert decide("??", parse("nlu_fallback", 0.7)).decision == "clarify"
    assert decide("best pizza", parse("out_of_scope", 0.9)).decision == "clarify"
    greet = decide("hi", parse("greet", 0.99))
    assert (greet.decision, greet.faq_id) == ("answer", None)
    assert decide("get me a nurse", parse("request_human", 0.9)).decision == "handoff"


def test_gate_answers_only_when_sure_and_asks_for_agreement_only_when_configured() -> None:
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    def example(text: str, faq: str) -> Message:
        return Message(data={"text": text, "intent": "faq", "intent_response_key": f"faq/{faq}"})

    def incoming(text: str, answer: str, answer_conf: float) -> Message:
        message = Message(data={"text": text})
        message.set("intent", {"name": "faq", "confidence": 0.99})
        message.set(
            "response_selector", parse("faq", 0.99, answer, answer_conf)["response_selector"]
        )
        return message

    import tempfile
    from pathlib import Path

    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    gate = FAQAnswerGate({"threshold": 0.5, "require_agreement": True}, storage, Resource("gate"))
    gate.train(
        TrainingData(
            [
                example("when are you open", "opening_hours"),
                example("opening times saturday", "opening_hours"),
                example("where is the clinic", "clinic_location"),
                example("address of the surgery", "clinic_location"),
            ]
        )
    )
    loaded = FAQAnswerGate.load(
        {"threshold": 0.5, "require_agreement": True}, storage, Resource("gate"), None
    )
    sure = incoming("what are your opening times", "opening_hours", 0.9)
    contested = incoming(
        "what is your address", "opening_hours", 0.9
    )  # the neighbour says location
    unsure = incoming("when are you open", "opening_hours", 0.3)
    loaded.process([sure, contested, unsure])
    assert sure.get("intent")["name"] == "faq" and sure.get("faq_gate")["agree"] is True
    assert contested.get("intent")["name"] == "nlu_fallback"
    assert contested.get("faq_gate")["neighbour_faq"] == "clinic_location"
    assert (
        unsure.get("intent")["name"] == "nlu_fallback"
        and unsure.get("faq_gate")["confidence"] == 0.3
    )

    # The shipped config: confidence alone decides, and the neighbour is not even asked.
    shipped = FAQAnswerGate.load(
        {"threshold": 0.5, "require_agreement": False}, storage, Resource("gate"), None
    )
    contested = incoming("what is your address", "opening_hours", 0.9)
    unsure = incoming("when are you open", "opening_hours", 0.3)
    shipped.process([contested, unsure])
    assert contested.get("intent")["name"] == "faq"
    assert contested.get("faq_gate") == {"faq_id": "opening_hours", "confidence": 0.9}
    assert unsure.get("intent")["name"] == "nlu_fallback"


def test_an_unsure_faq_question_with_plausible_faqs_is_a_suggestion() -> None:
    data = parse("nlu_fallback", 0.6) | {"faq_gate": {"suggestions": ["contact_clinic", "clinic_location"]}}
    titles = {"contact_clinic": "How to contact the clinic", "clinic_location": "Where to find the clinic"}
    decision = decide("clinic phone", data, titles=titles)
    assert decision.decision == "suggest"
    assert decision.as_json()["suggestions"] == [
        {"faq_id": "contact_clinic", "title": "How to contact the clinic"},
        {"faq_id": "clinic_location", "title": "Where to find the clinic"},
    ]
    # An FAQ the model no longer serves is not offered; nothing left to offer means clarify.
    assert decide("clinic phone", data, titles={}).decision == "clarify"
    assert "suggestions" not in decide("??", parse("nlu_fallback", 0.7)).as_json()


def test_no_suggestion_for_personal_advice_or_an_emergency() -> None:
    data = parse("nlu_fallback", 0.6) | {"faq_gate": {"suggestions": ["fever_adults"]}}
    assert decide("my fever, should i up my dose", data, needs_clinician=True).decision == "handoff"
    assert decide("fever and stiff neck", data, red_flag_categories=("meningitis",)).decision == "emergency"
