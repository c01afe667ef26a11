"""The evaluation figures on small hand-checked cases."""

from __future__ import annotations

from bot.evaluation.datasets import EvalItem
from bot.evaluation.metrics import Prediction, summarise

ITEMS = [
    EvalItem("1", "a", "hours", "in_scope"),
    EvalItem("2", "b", "hours", "in_scope"),
    EvalItem("3", "c", "booking", "in_scope"),
    EvalItem("4", "d", "booking", "in_scope"),
    EvalItem("5", "e", None, "out_of_scope"),
    EvalItem("6", "f", None, "out_of_scope"),
]


def test_summary_at_shipped_threshold_and_along_the_sweep() -> None:
    predictions = [
        Prediction("hours", 0.9, True),  # right, answered
        Prediction("hours", 0.4, False),  # right, abstained
        Prediction("hours", 0.7, True),  # wrong answer
        Prediction("booking", 0.95, True),  # right
        Prediction("booking", 0.8, True),  # out of scope answered: wrong
        Prediction(None, 0.0, False),  # out of scope, abstained
    ]
    figures = summarise(ITEMS, predictions)
    assert figures["accuracy_in_scope"] == 0.75
    assert figures["coverage"] == 0.75  # three of four in-scope answered
    assert figures["precision_answered"] == 0.5  # 2 right of 4 answered
    assert figures["oos_wrong_rate"] == 0.5
    assert (figures["n_in_scope"], figures["n_out_of_scope"]) == (4, 2)
    # Threshold 0.9 answers only items 1 and 4, both right: coverage 0.5 at precision 1.0.
    assert figures["coverage_at_precision_95"] == 0.5
    assert {"expected": "booking", "answered": "hours", "count": 1} in figures["worst_confusions"]


def test_no_answers_means_no_coverage() -> None:
    predictions = [Prediction(None, 0.0, False)] * len(ITEMS)
    figures = summarise(ITEMS, predictions)
    assert figures["coverage"] == 0.0 and figures["oos_wrong_rate"] == 0.0
    assert figures["coverage_at_precision_95"] == 0.0


def test_routing_shows_what_happened_to_questions_no_faq_answers() -> None:
    items = [
        EvalItem("1", "a", "hours", "in_scope"),
        EvalItem("p1", "should I double my dose", None, "personal_advice"),
        EvalItem("p2", "is this rash cancer", None, "personal_advice"),
        EvalItem("s1", "thanks!", None, "smalltalk", expected_intent="thanks"),
        EvalItem("s2", "hi there", None, "smalltalk", expected_intent="greet"),
        EvalItem("s3", "can I talk to a person", None, "smalltalk", expected_intent="request_human"),
    ]
    predictions = [
        Prediction("hours", 0.9, True, "answer", "faq/hours"),
        Prediction(None, 0.0, False, "handoff", "personal_advice"),
        Prediction(None, 0.0, False, "clarify", "nlu_fallback"),  # should have been a handoff
        Prediction(None, 0.0, False, "answer", "thanks"),
        Prediction(None, 0.0, False, "answer", "goodbye"),  # replied, with the wrong reply
        Prediction(None, 0.0, False, "handoff", "request_human"),  # right: a human was asked for
    ]
    routing = summarise(items, predictions)["routing"]
    assert routing == {
        "personal_advice": {"n": 2, "clarify": 0.5, "handoff": 0.5},
        "smalltalk": {"n": 3, "answer": 0.6667, "handoff": 0.3333, "right_intent": 0.6667},
    }
    # Systems that only answer or abstain (TF-IDF) have no routing to report.
    assert summarise(items, [Prediction(None, 0.0, False)] * len(items))["routing"] == {}


def test_one_tap_counts_answers_and_offers_and_out_of_scope_offers_are_reported() -> None:
    predictions = [
        Prediction("hours", 0.9, True),  # answered right: one tap
        Prediction("booking", 0.3, False, "suggest", "nlu_fallback", ("booking", "hours")),  # offered: one tap
        Prediction("hours", 0.3, False, "suggest", "nlu_fallback", ("hours",)),  # right FAQ not offered
        Prediction(None, 0.0, False, "clarify"),  # nothing
        Prediction("hours", 0.3, False, "suggest", "nlu_fallback", ("hours",)),  # out of scope, offered
        Prediction(None, 0.0, False, "clarify"),
    ]
    figures = summarise(ITEMS, predictions)
    assert figures["one_tap_rate"] == 0.5
    assert figures["suggest_rate_out_of_scope"] == 0.5


def test_the_possibly_urgent_tier_is_counted_and_its_questions_are_not_one_tap() -> None:
    """The gateway replaces "did you mean" with the possibly-urgent reply: no offer reaches the patient."""
    predictions = [
        Prediction("hours", 0.9, True),
        Prediction("booking", 0.3, False, "urgent", "nlu_fallback", ()),
        Prediction("booking", 0.3, False, "suggest", "nlu_fallback", ("booking",)),
        Prediction(None, 0.0, False, "clarify"),
        Prediction(None, 0.0, False, "urgent"),
        Prediction(None, 0.0, False, "clarify"),
    ]
    figures = summarise(ITEMS, predictions)
    assert figures["urgent_tier_rate"] == 0.25
    assert figures["one_tap_rate"] == 0.5
    assert figures["routing"]["out_of_scope"]["urgent"] == 0.5
