"""Accuracy, coverage and precision of answered questions, at a threshold and along a sweep."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.evaluation.datasets import EvalItem

TARGET_PRECISION = 0.95


@dataclass(frozen=True)
class Prediction:
    """A system's best FAQ candidate, its confidence, and whether it answers at its shipped threshold."""

    faq_id: str | None
    confidence: float
    answered: bool
    # What the system did with the message, where it decides more than "answer or not"
    # (PatientBot: answer, suggest, clarify, handoff, emergency, or urgent: the possibly-urgent
    # tier the gateway puts in place of a "not understood" reply) and the intent it acted on.
    decision: str | None = None
    intent: str | None = None
    # The FAQs offered as "did you mean" instead of an answer, best first.
    suggestions: tuple[str, ...] = ()


def _rates(items: Sequence[EvalItem], answered: Sequence[bool], faqs: Sequence[str | None]) -> tuple[float, float, float]:
    n_in = sum(1 for i in items if i.expected_faq)
    n_out = len(items) - n_in
    answered_total = sum(answered)
    correct_answered = sum(1 for i, a, f in zip(items, answered, faqs) if a and i.expected_faq and f == i.expected_faq)
    covered = sum(1 for i, a in zip(items, answered) if a and i.expected_faq)
    oos_answered = sum(1 for i, a in zip(items, answered) if a and not i.expected_faq)
    coverage = covered / n_in if n_in else 0.0
    precision = correct_answered / answered_total if answered_total else 1.0
    oos_rate = oos_answered / n_out if n_out else 0.0
    return coverage, precision, oos_rate


def sweep(items: Sequence[EvalItem], predictions: Sequence[Prediction]) -> list[tuple[float, float, float]]:
    """(threshold, coverage, precision) for every distinct confidence as threshold."""
    faqs = [p.faq_id for p in predictions]
    thresholds = sorted({round(p.confidence, 6) for p in predictions if p.faq_id} | {0.0, 1.01})
    points = []
    for threshold in thresholds:
        answered = [p.faq_id is not None and p.confidence >= threshold for p in predictions]
        coverage, precision, _ = _rates(items, answered, faqs)
        points.append((threshold, coverage, precision))
    return points


def routing(items: Sequence[EvalItem], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """What happened to the questions no FAQ answers, by kind: shares of each decision.

    Coverage and precision only see FAQ answers. A model that sends personal-advice
    questions to "please rephrase" instead of a clinician, or answers "thanks" with
    "please rephrase", looks the same there; this is where it shows. Where the
    dataset names the intent that should reply (small talk, asking for a human),
    `right_intent` is the share that got it.
    """
    figures: dict[str, Any] = {}
    kinds = sorted({i.kind for i in items if i.kind != "in_scope"})
    for kind in kinds:
        pairs = [(i, p) for i, p in zip(items, predictions) if i.kind == kind and p.decision]
        if not pairs:
            continue
        counts = Counter(str(p.decision) for _i, p in pairs)
        entry: dict[str, Any] = {"n": len(pairs)} | {
            decision: round(n / len(pairs), 4) for decision, n in sorted(counts.items())
        }
        expected = [(i, p) for i, p in pairs if i.expected_intent]
        if expected:
            right = sum(1 for i, p in expected if p.intent == i.expected_intent)
            entry["right_intent"] = round(right / len(expected), 4)
        figures[kind] = entry
    return figures


def summarise(items: Sequence[EvalItem], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """The figures the issue asks for, for one system on one dataset."""
    faqs = [p.faq_id for p in predictions]
    answered = [p.answered and p.faq_id is not None for p in predictions]
    in_scope = [(i, p) for i, p in zip(items, predictions) if i.expected_faq]
    accuracy = sum(1 for i, p in in_scope if p.faq_id == i.expected_faq) / len(in_scope) if in_scope else 0.0
    coverage, precision, oos_rate = _rates(items, answered, faqs)
    points = sweep(items, predictions)
    at_95 = max((c for _t, c, p in points if p >= TARGET_PRECISION and c > 0), default=0.0)
    one_tap = sum(
        1 for i, p in in_scope if (p.answered and p.faq_id == i.expected_faq) or i.expected_faq in p.suggestions
    )
    out_of_scope = [p for i, p in zip(items, predictions) if not i.expected_faq]
    confusions = Counter(
        (i.expected_faq or "(no FAQ)", p.faq_id)
        for i, p, a in zip(items, predictions, answered)
        if a and p.faq_id != i.expected_faq
    )
    return {
        "accuracy_in_scope": round(accuracy, 4),
        "coverage": round(coverage, 4),
        "precision_answered": round(precision, 4),
        "oos_wrong_rate": round(oos_rate, 4),
        "coverage_at_precision_95": round(at_95, 4),
        # In-scope questions whose right FAQ is answered directly or offered ("did you mean": one tap).
        "one_tap_rate": round(one_tap / len(in_scope), 4) if in_scope else 0.0,
        # In-scope questions the gateway would put in the possibly-urgent tier (issue 22: at most 2%).
        "urgent_tier_rate": (
            round(sum(1 for _i, p in in_scope if p.decision == "urgent") / len(in_scope), 4) if in_scope else 0.0
        ),
        "suggest_rate_out_of_scope": (
            round(sum(1 for p in out_of_scope if p.suggestions) / len(out_of_scope), 4) if out_of_scope else 0.0
        ),
        "n_in_scope": len(in_scope),
        "n_out_of_scope": len(items) - len(in_scope),
        "n_answered": sum(answered),
        "worst_confusions": [
            {"expected": e, "answered": a, "count": n} for (e, a), n in confusions.most_common(8)
        ],
        "curve": [{"threshold": t, "coverage": round(c, 4), "precision": round(p, 4)} for t, c, p in points],
        "routing": routing(items, predictions),
    }
