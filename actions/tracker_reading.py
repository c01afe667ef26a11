"""What the actions read from Rasa's tracker: the handoff reason, its priority and a summary.

The summary is what a clinician sees before reading the transcript: the
patient's questions, the bot's answers, each intent with its confidence, and
the red flags the gateway saw (it puts them in the message metadata). It covers
the current session only, and is capped so a long conversation stays small.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

REASONS = ("request_human", "fallback", "personal_advice", "emergency", "negative_feedback", "callback")
REASON_BY_INTENT = {
    "request_human": "request_human",
    "personal_advice": "personal_advice",
    "emergency": "emergency",
    "nlu_fallback": "fallback",
    "out_of_scope": "fallback",
    "feedback_negative": "negative_feedback",
}
MAX_TURNS = 20
FAQ_ID_ENTITY = "faq_id"
MAX_TEXT_CHARS = 500


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def faq_id_entity(tracker: Tracker) -> str | None:
    """The `faq_id` a button's payload carried with the latest message (feedback, "did you mean")."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == FAQ_ID_ENTITY and isinstance(entity.get("value"), str):
            return str(entity["value"])
    return None


def rated_faq_id(tracker: Tracker) -> str | None:
    """The FAQ a "was this helpful?" reply is about.

    A feedback button carries the id of the answer it sits under as an entity
    (`/feedback_positive{"faq_id": "..."}`, bot.content.compiler), so a press
    rates that answer even in a fresh Rasa tracker (the gateway starts one
    after an FAQ answer, bot.gateway.routing). Typed feedback ("that didn't
    help") rates the latest FAQ answer of this session, found by the
    `faq_id` its response carries in `custom`.
    """
    if (faq_id := faq_id_entity(tracker)) is not None:
        return faq_id
    for event in reversed(_current_session(list(tracker.events or []))):
        if event.get("event") == "bot":
            faq_id = ((event.get("data") or {}).get("custom") or {}).get("faq_id")
            if isinstance(faq_id, str) and faq_id:
                return faq_id
    return None


def handoff_reason(tracker: Tracker) -> str:
    """The slot `handoff_reason` if a rule set it, else derived from the latest intent."""
    slot = tracker.get_slot("handoff_reason")
    if slot in REASONS:
        return str(slot)
    return REASON_BY_INTENT.get(latest_intent(tracker) or "", "request_human")


def _flag_names(value: Any) -> list[str]:
    names = []
    for flag in value if isinstance(value, list) else []:
        name = flag.get("category") if isinstance(flag, dict) else flag
        if isinstance(name, str) and name.strip():
            names.append(name.strip()[:64])
    return names


def _clip(text: Any) -> str:
    value = str(text or "")
    return value if len(value) <= MAX_TEXT_CHARS else value[: MAX_TEXT_CHARS - 1] + "…"


def _current_session(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "session_started":
            return events[index + 1 :]
    return events


def build_summary(tracker: Tracker) -> dict[str, Any]:
    turns: list[dict[str, Any]] = []
    red_flags: list[str] = []
    for event in _current_session(list(tracker.events or [])):
        kind = event.get("event")
        if kind == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            confidence = intent.get("confidence")
            turns.append(
                {
                    "speaker": "patient",
                    "text": _clip(event.get("text")),
                    "intent": intent.get("name"),
                    "confidence": round(float(confidence), 3) if confidence is not None else None,
                }
            )
            for flag in _flag_names((event.get("metadata") or {}).get("red_flags")):
                if flag not in red_flags:
                    red_flags.append(flag)
        elif kind == "bot" and event.get("text"):
            turns.append({"speaker": "bot", "text": _clip(event.get("text"))})
    for flag in _flag_names(((tracker.latest_message or {}).get("metadata") or {}).get("red_flags")):
        if flag not in red_flags:
            red_flags.append(flag)
    turns = turns[-MAX_TURNS:]
    patient = [t for t in turns if t["speaker"] == "patient"]
    return {
        # Button presses arrive as "/intent" payloads: they are choices, not questions.
        "questions": [t["text"] for t in patient if t["text"] and not t["text"].startswith("/")],
        "bot_answers": [t["text"] for t in turns if t["speaker"] == "bot"],
        "intents": [
            {"name": t["intent"], "confidence": t["confidence"]} for t in patient if t["intent"]
        ],
        "red_flags": red_flags,
        "turns": turns,
    }


def handoff_priority(reason: str, summary: dict[str, Any]) -> str:
    """Emergencies first; red flags make it urgent; everything else is routine."""
    if reason == "emergency":
        return "emergency"
    if summary.get("red_flags"):
        return "urgent"
    return "routine"


def format_wait(minutes: int) -> str:
    """The expected wait for `utter_handoff_queued`, whose text reads "about {expected_wait}"."""
    if minutes <= 1:
        return "1 minute"
    if minutes < 90:
        return f"{minutes} minutes"
    return f"{round(minutes / 60)} hours"
