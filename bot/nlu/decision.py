"""What the assistant does with one message, as one of five decisions.

This is the vocabulary shared by `patientbot classify`, the evaluation and the
documentation: answer (FAQ or small talk), suggest (no answer is safe, but up to
three FAQs are offered as "did you mean" buttons), clarify (ask to rephrase),
handoff (offer a clinician) or emergency (red flag: emergency guidance at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from bot.nlu.faq_gate import (
    FALLBACK_INTENT,
    GATE_KEY,
    RETRIEVAL_INTENT,
    faq_answer_confidence,
    gated_confidence,
)

DecisionName = Literal["answer", "suggest", "clarify", "handoff", "emergency"]

SMALL_TALK = frozenset(
    {"greet", "goodbye", "thanks", "help", "bot_challenge", "affirm", "deny", "cancel",
     "feedback_positive", "feedback_negative"}
)
HANDOFF_INTENTS = frozenset({"request_human", "personal_advice"})
CLARIFY_INTENTS = frozenset({FALLBACK_INTENT, "out_of_scope"})
# Intents the medical-advice guard leaves alone (bot/nlu/advice_guard.py): every other
# message that needs a clinician's judgement about the patient's own case is a handoff.
KEEP_INTENT_FOR_ADVICE = SMALL_TALK | HANDOFF_INTENTS


@dataclass(frozen=True)
class Decision:
    text: str
    decision: DecisionName
    faq_id: str | None
    intent: str
    confidence: float
    red_flags: tuple[str, ...] = ()
    # (FAQ id, title) of the FAQs offered as "did you mean", best first; only for "suggest".
    suggestions: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["confidence"] = round(self.confidence, 4)
        data["red_flags"] = list(self.red_flags)
        if self.suggestions:
            data["suggestions"] = [{"faq_id": faq_id, "title": title} for faq_id, title in self.suggestions]
        else:
            del data["suggestions"]
        return data


def gate_suggestions(parse_data: dict[str, Any]) -> list[str]:
    """The FAQ ids the gate offers as "did you mean" for this message, best first."""
    gate = parse_data.get(GATE_KEY) or {}
    suggestions = gate.get("suggestions") if isinstance(gate, dict) else None
    return [str(s) for s in suggestions] if isinstance(suggestions, list) else []


def decide(
    text: str,
    parse_data: dict[str, Any],
    *,
    red_flag_categories: tuple[str, ...] = (),
    needs_clinician: bool = False,
    titles: Mapping[str, str] | None = None,
) -> Decision:
    """Map Rasa's parse result plus the safety layer's verdicts to one decision.

    Safety comes first: a red flag is an emergency whatever the FAQ model says,
    and a question that needs a clinician's judgement about the patient's own
    case is never answered from FAQs.
    """
    intent = (parse_data.get("intent") or {}).get("name") or FALLBACK_INTENT
    confidence = float((parse_data.get("intent") or {}).get("confidence") or 0.0)
    if red_flag_categories:
        return Decision(text, "emergency", None, intent, confidence, red_flag_categories)
    if intent == RETRIEVAL_INTENT:
        faq_id, _answer_confidence, _margin = faq_answer_confidence(parse_data)
        confidence = gated_confidence(parse_data)
        if needs_clinician:
            return Decision(text, "handoff", None, "personal_advice", confidence)
        return Decision(text, "answer", faq_id, f"faq/{faq_id}", confidence)
    if intent in HANDOFF_INTENTS or (needs_clinician and intent not in KEEP_INTENT_FOR_ADVICE):
        return Decision(text, "handoff", None, intent, confidence)
    if intent == FALLBACK_INTENT and (offered := gate_suggestions(parse_data)):
        # What action_suggest_faqs offers: the served FAQs among the gate's suggestions.
        named = tuple((faq_id, (titles or {}).get(faq_id, faq_id)) for faq_id in offered)
        if titles is not None:
            named = tuple((faq_id, title) for faq_id, title in named if faq_id in titles)
        if named:
            return Decision(text, "suggest", None, intent, confidence, suggestions=named)
    if intent in CLARIFY_INTENTS:
        return Decision(text, "clarify", None, intent, confidence)
    return Decision(text, "answer", None, intent, confidence)
