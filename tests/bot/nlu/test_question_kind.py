"""The question-kind check: an FAQ that never answers "why" is not given to a "why" question."""

from __future__ import annotations

import pytest

from bot.nlu.faq_gate import FAQAnswerGate
from bot.nlu.question_kind import answered_kinds, question_kind
from tests.bot.nlu.gate_support import incoming, trained_gate


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("why is covid so contagious", "reason"),
        ("How come my cold lasts so long?", "reason"),
        ("ok but why do i need a booster", "reason"),
        ("where can i get a flu shot", "place"),
        ("where's the clinic", "place"),
        ("who can get the vaccine", "person"),
        ("Who's eligible for a booster?", "person"),
        ("when are you open", "time"),
        ("how much does a visit cost", "amount"),
        ("how many days should i isolate", "amount"),
        # No kind: the question can ask for anything, or the word is not the opening interrogative.
        ("what to do when you have a fever", None),
        ("how long is covid contagious", None),
        ("people who have asthma and covid", None),
        ("can i get covid twice", None),
        ("", None),
        ("¿por qué?", None),
    ],
)
def test_the_opening_interrogative_names_the_kind(text: str, kind: str | None) -> None:
    assert question_kind(text) == kind


def test_an_faq_answers_the_kinds_its_examples_ask() -> None:
    assert answered_kinds(["when are you open", "opening hours", "what time do you close", "when do you shut"]) == {
        "time"
    }
    assert answered_kinds(["covid testing", "is a home test accurate"]) == frozenset()


def test_the_gate_abstains_on_a_kind_the_faq_never_answers() -> None:
    config = {"threshold": 0.5, "require_agreement": False, "vocabulary_weight": 0.0, "question_kinds": True}
    loaded = trained_gate(
        config, "covid_contagious", ["how long is covid contagious", "when am i no longer contagious with covid"]
    )
    assert loaded.kinds == {"covid_contagious": frozenset({"time"})}

    when = incoming("when does covid stop being contagious", "covid_contagious")
    why = incoming("why is covid so contagious", "covid_contagious")
    plain = incoming("is covid contagious", "covid_contagious")
    loaded.process([when, why, plain])
    assert when.get("intent")["name"] == "faq"
    assert when.get("faq_gate") == {
        "faq_id": "covid_contagious", "confidence": 0.9, "question_kind": "time", "faq_answers_kind": True
    }
    assert why.get("intent")["name"] == "nlu_fallback"
    assert why.get("faq_gate")["faq_answers_kind"] is False
    assert why.get("faq_gate")["confidence"] == 0.0
    assert plain.get("intent")["name"] == "faq"
    assert "question_kind" not in plain.get("faq_gate")


def test_the_check_is_off_unless_configured() -> None:
    config = FAQAnswerGate.get_default_config() | {"require_agreement": False}
    gate = trained_gate(config, "covid_contagious", ["how long is covid contagious"])
    why = incoming("why is covid so contagious", "covid_contagious")
    gate.process([why])
    assert why.get("intent")["name"] == "faq"
