"""The semantic red-flag detector, and the safety net that combines it with the rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.nlu.embedding_model import shared_encoder
from bot.safety.net import SEMANTIC, SafetyNet
from bot.safety.semantic import (
    NONE,
    Example,
    SemanticDetector,
    examples_from_rows,
    fingerprint,
    learned_batches,
    load_or_fit,
)
from tests.support.safety_examples import ISSUE_EXAMPLES

TINY = [
    Example("I can't breathe and my lips are blue", "breathing_difficulty"),
    Example("he is struggling to breathe and gasping", "breathing_difficulty"),
    Example("crushing chest pain going down my arm", "heart_attack"),
    Example("my chest is so tight and I'm sweating, it's spreading to my jaw", "heart_attack"),
    Example("what are your opening hours", NONE),
    Example("how do I book an appointment", NONE),
    Example("can I get my flu shot here", NONE),
]


def test_a_fitted_detector_is_saved_with_what_it_was_fitted_on(tmp_path: Path) -> None:
    encoder = shared_encoder()
    path = tmp_path / "semantic.npz"
    fitted = load_or_fit(encoder, TINY, "enc", path)
    assert path.exists()
    again = SemanticDetector.load(encoder, path, fingerprint(TINY, "enc"))
    assert again is not None and again.classes == fitted.classes
    vectors = encoder.encode(["my chest hurts so much"])
    assert np.allclose(again.probabilities(vectors), fitted.probabilities(vectors))
    assert np.isclose(fitted.probabilities(vectors).sum(), 1.0)
    # Other examples or another encoder: the saved weights do not serve.
    assert SemanticDetector.load(encoder, path, fingerprint(TINY[:-1], "enc")) is None
    assert SemanticDetector.load(encoder, path, fingerprint(TINY, "other")) is None


def test_an_unreadable_saved_detector_is_refitted(tmp_path: Path) -> None:
    path = tmp_path / "semantic.npz"
    path.write_bytes(b"not a numpy archive")
    assert SemanticDetector.load(shared_encoder(), path, "stamp") is None
    detector = load_or_fit(shared_encoder(), TINY, "enc", path)
    assert detector.check("what time do you open").category is not None


def test_a_detector_needs_a_none_class() -> None:
    with pytest.raises(ValueError, match="none"):
        SemanticDetector(shared_encoder(), ["heart_attack"], np.zeros((1, 384)), np.zeros(1))


def test_labelled_rows_become_examples_and_learned_batches_are_listed(tmp_path: Path) -> None:
    rows = [
        {"category": "stroke", "kind": "other_person_emergency", "text": "her face droops"},
        {"category": "none", "kind": "historical", "text": "dad had a stroke in 2010"},
        {"category": "none", "kind": "faq", "text": "  "},
    ]
    assert examples_from_rows(rows) == [Example("her face droops", "stroke"), Example("dad had a stroke in 2010", NONE)]
    assert learned_batches(tmp_path) == []
    (tmp_path / "learned.txt").write_text("# measured, then learned\nbatch_01.tsv\n\n", encoding="utf-8")
    assert learned_batches(tmp_path) == [tmp_path / "batch_01.tsv"]


@pytest.mark.parametrize(
    "text",
    [
        "my grandad had a heart attack ten years ago",
        "what should i do if my baby stops breathing",
        "I cut my finger cooking and it bled a little",
        "no chest pain, just a cough",
    ],
)
def test_calm_messages_stay_calm(safety_net: SafetyNet, text: str) -> None:
    check = safety_net.check(text)
    assert not check.is_emergency, check.flags




@pytest.mark.parametrize(("text", "category"), ISSUE_EXAMPLES)
def test_issue_examples_are_flagged_or_possibly_urgent(safety_net: SafetyNet, text: str, category: str) -> None:
    check = safety_net.check(text)
    assert (check.is_emergency and check.category == category) or (
        not check.is_emergency and check.is_possibly_urgent
    ), (check.categories, check.urgency)


def test_the_rules_are_trusted_first(safety_net: SafetyNet) -> None:
    check = safety_net.check("I think I'm having a heart attack")
    assert check.category == "heart_attack"
    assert all(SEMANTIC not in flag.context for flag in check.flags)


def test_check_many_agrees_with_check(safety_net: SafetyNet) -> None:
    texts = [text for text, _ in ISSUE_EXAMPLES[:3]] + ["what are your opening hours"]
    assert [c.categories for c in safety_net.check_many(texts)] == [
        safety_net.check(t).categories for t in texts
    ]
