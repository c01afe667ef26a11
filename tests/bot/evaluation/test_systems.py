"""PatientBot's predictions in the evaluation: what the gateway would do with each question."""

from __future__ import annotations

from pathlib import Path

from bot.evaluation.datasets import EvalItem
from bot.evaluation.systems import patientbot_predictions
from bot.nlu.classifier import ModelRunner, SafetyLayer

ITEMS = [
    EvalItem("plain", "what time do you close on fridays", "opening_hours", "in_scope"),
    # Nothing the bot can understand and no red flag, but a sign of urgency ("suddenly").
    EvalItem("urgent", "suddenly purple elephants everywhere on the wallpaper", None, "out_of_scope"),
    # Without the sign: asked to rephrase, as the gateway would.
    EvalItem("calm", "the purple elephants on the wallpaper", None, "out_of_scope"),
]


def test_an_unanswerable_message_with_signs_of_urgency_is_counted_in_the_urgent_tier(model_path: Path) -> None:
    runner = ModelRunner(model_path)
    try:
        plain, urgent, calm = patientbot_predictions(ITEMS, runner, SafetyLayer())
    finally:
        runner.close()
    assert (plain.decision, plain.faq_id, plain.answered) == ("answer", "opening_hours", True)
    assert urgent.decision == "urgent"
    assert urgent.suggestions == () and not urgent.answered
    assert calm.decision == "clarify"
