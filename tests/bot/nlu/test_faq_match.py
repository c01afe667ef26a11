"""The calibrated FAQ matcher: ranks by example neighbours, and tells a paraphrase from a near-topic question."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from bot.content.compiler import served_faqs, split_examples
from bot.content.loader import load_content
from bot.nlu.embedding_model import shared_encoder
from bot.nlu.faq_match import SIGNALS, FAQMatcher
from bot.nlu.faq_vocabulary import LemmaFn, spacy_lemmas
from bot.paths import CONTENT_DIR

# Real FAQs, neighbours in topic, so that leaving one out makes near-topic negatives.
FAQS = ("opening_hours", "contact_clinic", "clinic_location", "flu_vaccine", "flu_shot_booking", "flu_symptoms",
        "covid_testing", "covid_long")
NEGATIVES = ["what's the best pizza topping", "who will win the football", "is this rash cancer", "do i have diabetes"]


@pytest.fixture(scope="module")
def lemmas() -> LemmaFn:
    return spacy_lemmas()


@pytest.fixture(scope="module")
def matcher(lemmas: LemmaFn) -> FAQMatcher:
    entries, _ = load_content(CONTENT_DIR)
    served, _ = served_faqs(entries, today=date.today())
    chosen = [e for e in served if e.id in FAQS]
    examples = {e.id: split_examples(e)[0] for e in chosen}
    answers = {e.id: e.answer for e in chosen}
    return FAQMatcher.fit(examples, answers, NEGATIVES, shared_encoder(), lemmas)


def _match(matcher: FAQMatcher, lemmas: LemmaFn, text: str):  # type: ignore[no-untyped-def]
    return matcher.match(shared_encoder().encode([text])[0], text, lemmas)


def test_a_plain_paraphrase_gets_its_faq_with_a_high_probability(matcher: FAQMatcher, lemmas: LemmaFn) -> None:
    match = _match(matcher, lemmas, "what time do you close on fridays")
    assert match.faq_id == "opening_hours"
    assert match.probability > 0.6
    assert match.ranking[0][0] == "opening_hours"


def test_off_topic_and_near_topic_questions_are_less_likely_right(matcher: FAQMatcher, lemmas: LemmaFn) -> None:
    plain = _match(matcher, lemmas, "how do i book a flu jab").probability
    near = _match(matcher, lemmas, "how many people died of flu in 1918").probability
    off = _match(matcher, lemmas, "can you recommend a good plumber").probability
    assert off < 0.3
    assert near < plain


def test_the_ranking_is_best_first_at_most_three_and_signals_are_named(matcher: FAQMatcher, lemmas: LemmaFn) -> None:
    match = _match(matcher, lemmas, "whats the clinic's phone number")
    scores = [score for _faq, score in match.ranking]
    assert len(match.ranking) == 3
    assert scores == sorted(scores, reverse=True)
    assert "contact_clinic" in [faq for faq, _score in match.ranking]
    assert set(match.signals) == set(SIGNALS)


def test_a_kind_of_question_no_example_asks_is_a_signal(matcher: FAQMatcher, lemmas: LemmaFn) -> None:
    for text, kind in (("why do you close at 6", "reason"), ("where do i get a covid test", "place")):
        match = _match(matcher, lemmas, text)
        asked = set(matcher.kinds[matcher.faq_ids == match.faq_id].tolist())
        assert match.signals["kind_answered"] == (1.0 if kind in asked else 0.0)
    assert _match(matcher, lemmas, "what are the symptoms of flu").signals["kind_answered"] == 1.0


def test_saved_and_loaded_it_gives_the_same_answers(matcher: FAQMatcher, lemmas: LemmaFn) -> None:
    directory = Path(tempfile.mkdtemp())
    matcher.save(directory)
    loaded = FAQMatcher.load(directory)
    assert loaded is not None
    for text in ("when are you open", "where can i get a covid test", "best pizza in town"):
        before, after = _match(matcher, lemmas, text), _match(loaded, lemmas, text)
        assert (before.faq_id, before.ranking) == (after.faq_id, after.ranking)
        assert np.isclose(before.probability, after.probability)


def test_a_model_without_a_matcher_loads_as_none() -> None:
    assert FAQMatcher.load(Path(tempfile.mkdtemp())) is None


def test_mismatched_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="one FAQ id"):
        FAQMatcher(np.zeros((2, 4)), ["a"], ["", ""], [False, False], {}, {}, np.zeros(9 + 8), 0.0)
