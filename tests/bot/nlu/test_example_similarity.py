"""The gate's similarity check: an answer needs an example question close in meaning, of the same kind and polarity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.nlu.embedding_model import shared_encoder
from bot.nlu.example_similarity import ExampleSimilarity, Match
from tests.bot.nlu.gate_support import incoming, trained_gate

EXAMPLES = {
    "covid_high_risk": ["who is at higher risk from covid", "does diabetes make covid worse", "is covid worse if you are old"],
    "covid_testing": ["where can i get a covid test", "when should i take a covid test", "how do i test for covid"],
    "flu_symptoms": ["what are the symptoms of flu", "can you have the flu without a fever"],
}
GATE = {"threshold": 0.7, "require_agreement": False, "example_similarity": True}


@pytest.fixture(scope="module")
def examples() -> ExampleSimilarity:
    return ExampleSimilarity.build(EXAMPLES, shared_encoder())


def _similarity(examples: ExampleSimilarity, text: str, faq_id: str, kind: str | None, negated: bool = False) -> float:
    return examples.similarity(shared_encoder().encode([text])[0], faq_id, kind, negated)


def test_a_paraphrase_is_close_and_an_unrelated_question_is_not(examples: ExampleSimilarity) -> None:
    assert _similarity(examples, "is covid more dangerous for diabetics", "covid_high_risk", None) > 0.7
    assert _similarity(examples, "how much does parking cost", "covid_high_risk", None) < 0.3


def test_a_question_of_a_kind_is_compared_only_with_examples_of_that_kind(examples: ExampleSimilarity) -> None:
    text = "where do i get tested for covid"
    assert _similarity(examples, text, "covid_testing", "place") > 0.7
    # covid_high_risk has a "who" example but no "where" one: nothing to be close to.
    assert _similarity(examples, text, "covid_high_risk", "place") == 0.0
    assert _similarity(examples, text, "no_such_faq", None) == 0.0


def test_a_negated_question_is_compared_only_with_negated_examples(examples: ExampleSimilarity) -> None:
    vaccine = {"covid_vaccine": ["why do covid vaccines keep getting updated", "who should get the covid vaccine"]}
    vaccines = ExampleSimilarity.build(vaccine, shared_encoder())
    text = "why is there no vaccine for covid"
    # The embedding alone finds the plain "why" example close: it hardly sees the "no".
    assert vaccines.similarity(shared_encoder().encode([text])[0], "covid_vaccine", "reason", False) > 0.6
    assert _similarity(vaccines, text, "covid_vaccine", "reason", negated=True) == 0.0
    assert _similarity(examples, "can you get flu with no fever", "flu_symptoms", None, negated=True) > 0.8
    # A plain question is compared with plain examples only: the negated one, its near twin, does not count.
    question = shared_encoder().encode(["can you have the flu with a fever"])[0]
    plain = examples.similarity(question, "flu_symptoms", None, False)
    assert plain < 0.8 < examples.similarity(question, "flu_symptoms", None, True)


def test_a_match_says_whether_the_faq_holds_the_closest_example_of_all(examples: ExampleSimilarity) -> None:
    question = shared_encoder().encode(["where can i get tested for covid"])[0]
    testing = examples.match(question, "covid_testing", None, False)
    risk = examples.match(question, "covid_high_risk", None, False)
    assert testing.nearest_of_all and not risk.nearest_of_all
    assert testing.similarity > risk.similarity > 0.0
    assert examples.match(question, "no_such_faq", None, False) == Match(0.0, False)


def test_saved_and_loaded_it_gives_the_same_answers(examples: ExampleSimilarity, tmp_path: Path) -> None:
    examples.save(tmp_path)
    loaded = ExampleSimilarity.load(tmp_path)
    assert loaded is not None
    assert np.array_equal(loaded.vectors, examples.vectors)
    assert list(loaded.faq_ids) == list(examples.faq_ids)
    assert list(loaded.kinds) == ["person", "", "", "place", "time", "", "", ""]
    assert list(loaded.negated) == [False] * 7 + [True]
    assert ExampleSimilarity.load(tmp_path / "missing") is None


def test_embeddings_saved_without_polarities_are_not_used(examples: ExampleSimilarity, tmp_path: Path) -> None:
    np.savez(tmp_path / "example_embeddings.npz", vectors=examples.vectors, faq_ids=examples.faq_ids, kinds=examples.kinds)
    assert ExampleSimilarity.load(tmp_path) is None


def test_vectors_without_one_label_each_are_refused() -> None:
    with pytest.raises(ValueError, match="one FAQ id, one kind and one polarity per vector"):
        ExampleSimilarity(np.zeros((2, 384)), ["a"], ["", ""], [False, False])
    with pytest.raises(ValueError, match="one polarity per vector"):
        ExampleSimilarity(np.zeros((2, 384)), ["a", "b"], ["", ""], [False])


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


def test_a_near_paraphrase_of_the_faqs_own_example_is_answered_below_the_threshold() -> None:
    config = {**GATE, "paraphrase_similarity": 0.9}
    testing = EXAMPLES["covid_testing"]
    gate = trained_gate(config, "covid_high_risk", EXAMPLES["covid_high_risk"], other_faqs={"covid_testing": testing})
    # The ResponseSelector is unsure (0.4), but the question is "who is at higher risk from covid" reworded.
    paraphrase = incoming("who is at a higher risk from covid?", "covid_high_risk", answer_confidence=0.4)
    # Close to the FAQ, but not that close: the classifiers' doubt stands.
    loose = incoming("is covid more dangerous for diabetics", "covid_high_risk", answer_confidence=0.4)
    # A near paraphrase of another FAQ's example does not vouch for this FAQ.
    elsewhere = incoming("where can i get a covid test?", "covid_high_risk", answer_confidence=0.4)
    gate.process([paraphrase, loose, elsewhere])

    assert paraphrase.get("faq_gate")["paraphrase"] is True
    assert paraphrase.get("faq_gate")["confidence"] == pytest.approx(paraphrase.get("faq_gate")["example_similarity"], abs=1e-4)
    assert paraphrase.get("intent")["name"] == "faq"
    assert loose.get("faq_gate")["paraphrase"] is False
    assert loose.get("intent")["name"] == "nlu_fallback"
    assert elsewhere.get("faq_gate")["paraphrase"] is False
    assert elsewhere.get("intent")["name"] == "nlu_fallback"

    # Without the setting the same near paraphrase waits for the classifiers' confidence.
    plain = trained_gate(GATE, "covid_high_risk", EXAMPLES["covid_high_risk"], other_faqs={"covid_testing": testing})
    again = incoming("who is at a higher risk from covid?", "covid_high_risk", answer_confidence=0.4)
    plain.process([again])
    assert again.get("faq_gate")["paraphrase"] is False
    assert again.get("intent")["name"] == "nlu_fallback"


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
