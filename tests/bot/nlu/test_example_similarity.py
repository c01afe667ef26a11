"""The gate's similarity check: an answer needs an example question close in meaning, of the same kind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.nlu.embedding_model import shared_encoder
from bot.nlu.example_similarity import ExampleSimilarity
from tests.bot.nlu.gate_support import incoming, trained_gate

EXAMPLES = {
    "covid_high_risk": ["who is at higher risk from covid", "does diabetes make covid worse", "is covid worse if you are old"],
    "covid_testing": ["where can i get a covid test", "when should i take a covid test", "how do i test for covid"],
}
GATE = {"threshold": 0.7, "require_agreement": False, "example_similarity": True}


@pytest.fixture(scope="module")
def examples() -> ExampleSimilarity:
    return ExampleSimilarity.build(EXAMPLES, shared_encoder())


def _similarity(examples: ExampleSimilarity, text: str, faq_id: str, kind: str | None) -> float:
    return examples.similarity(shared_encoder().encode([text])[0], faq_id, kind)


def test_a_paraphrase_is_close_and_an_unrelated_question_is_not(examples: ExampleSimilarity) -> None:
    assert _similarity(examples, "is covid more dangerous for diabetics", "covid_high_risk", None) > 0.7
    assert _similarity(examples, "how much does parking cost", "covid_high_risk", None) < 0.3


def test_a_question_of_a_kind_is_compared_only_with_examples_of_that_kind(examples: ExampleSimilarity) -> None:
    text = "where do i get tested for covid"
    assert _similarity(examples, text, "covid_testing", "place") > 0.7
    # covid_high_risk has a "who" example but no "where" one: nothing to be close to.
    assert _similarity(examples, text, "covid_high_risk", "place") == 0.0
    assert _similarity(examples, text, "no_such_faq", None) == 0.0


def test_saved_and_loaded_it_gives_the_same_answers(examples: ExampleSimilarity, tmp_path: Path) -> None:
    examples.save(tmp_path)
    loaded = ExampleSimilarity.load(tmp_path)
    assert loaded is not None
    assert np.array_equal(loaded.vectors, examples.vectors)
    assert list(loaded.faq_ids) == list(examples.faq_ids)
    assert list(loaded.kinds) == ["person", "", "", "place", "time", ""]
    assert ExampleSimilarity.load(tmp_path / "missing") is None


def test_vectors_without_one_label_each_are_refused() -> None:
    with pytest.raises(ValueError, match="one FAQ id and one kind per vector"):
        ExampleSimilarity(np.zeros((2, 384)), ["a"], ["", ""])


def test_the_gate_caps_its_confidence_at_the_similarity() -> None:
    gate = trained_gate(GATE, "covid_high_risk", EXAMPLES["covid_high_risk"])
    paraphrase = incoming("is covid more dangerous for diabetics", "covid_high_risk")
    reason = incoming("why does diabetes make covid more dangerous", "covid_high_risk")
    gate.process([paraphrase, reason])

    assert paraphrase.get("intent")["name"] == "faq"
    closeness = paraphrase.get("faq_gate")["example_similarity"]
    assert 0.7 < closeness < 0.9
    assert paraphrase.get("faq_gate")["confidence"] == pytest.approx(min(0.9, closeness), abs=1e-4)
    # A "why" question with no "why" example to match: the FAQ is not shown to give the reason.
    assert reason.get("faq_gate")["question_kind"] == "reason"
    assert reason.get("faq_gate")["example_similarity"] == 0.0
    assert reason.get("intent")["name"] == "nlu_fallback"


def test_a_model_trained_without_embeddings_answers_nothing_when_the_check_is_on() -> None:
    untrained = trained_gate({**GATE, "example_similarity": False}, "covid_high_risk", EXAMPLES["covid_high_risk"])
    from bot.nlu.faq_gate import FAQAnswerGate

    gate = FAQAnswerGate(GATE, untrained._model_storage, untrained._resource, similarity=None)
    message = incoming("is covid more dangerous for diabetics", "covid_high_risk")
    gate.process([message])
    assert message.get("faq_gate")["example_similarity"] == 0.0
    assert message.get("intent")["name"] == "nlu_fallback"


def test_the_encoder_does_not_run_for_a_question_another_check_refused() -> None:
    gate = trained_gate(
        {**GATE, "max_unknown_words": 0}, "covid_high_risk", EXAMPLES["covid_high_risk"], "Older people and diabetics."
    )
    refused = incoming("do mosquitoes carry covid", "covid_high_risk")
    gate.process([refused])
    assert refused.get("faq_gate")["unknown_words"] == 2  # mosquito, carry: not the FAQ's words
    assert "example_similarity" not in refused.get("faq_gate")
    assert refused.get("intent")["name"] == "nlu_fallback"
