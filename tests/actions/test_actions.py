"""The custom actions against a real handoff API: events returned, responses uttered, rows stored."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from sqlalchemy import select

from actions import ActionHandoff, ActionRecordFeedback, ActionSubmitCallback, ValidateCallbackForm
from bot.db.models import AnswerFeedback
from bot.db.session import unit_of_work
from bot.handoff.models import Handoff
from tests.actions.conftest import CONVERSATION_ID, DOMAIN, Gateway, load_tracker, load_tracker_dict

ACTIONS_DIR = Path(__file__).resolve().parents[2] / "actions"


def _responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


def _handoffs(gateway: Gateway) -> list[Handoff]:
    with unit_of_work(gateway.factory) as session:
        return list(session.scalars(select(Handoff)))


def test_the_action_server_finds_every_action() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    assert {
        "action_handoff",
        "action_record_feedback",
        "action_submit_callback",
        "validate_callback_form",
    } <= set(executor.actions)


def test_actions_never_import_the_gateway() -> None:
    for path in ACTIONS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n == "bot" or n.startswith("bot.") for n in names), path


async def test_request_human_queues_with_a_summary(gateway: Gateway, dispatcher: CollectingDispatcher) -> None:
    events = await ActionHandoff().run(dispatcher, load_tracker("request_human"), DOMAIN)

    assert events == [SlotSet("handoff_reason", None)]
    assert dispatcher.messages == [
        {
            **dispatcher.messages[0],
            "response": "utter_handoff_queued",
            "queue_position": 1,
            "expected_wait": "10 minutes",
        }
    ]
    [handoff] = _handoffs(gateway)
    assert (handoff.conversation_id, handoff.reason, handoff.priority, handoff.status) == (
        CONVERSATION_ID,
        "request_human",
        "routine",
        "waiting",
    )
    summary = handoff.summary
    # Only the current session: last week's question is not in it.
    assert summary["questions"] == [
        "what time do you open on saturday",
        "I want to talk to a real doctor please",
    ]
    assert summary["bot_answers"] == ["We are open Monday to Friday 8am to 6pm and Saturday 9am to 12pm."]
    assert summary["intents"] == [
        {"name": "faq", "confidence": 0.91},
        {"name": "request_human", "confidence": 0.97},
    ]
    assert summary["red_flags"] == []
    assert [t["speaker"] for t in summary["turns"]] == ["patient", "bot", "patient"]


@pytest.mark.parametrize(
    ("fixture", "reason", "priority", "flags"),
    [
        ("second_fallback", "fallback", "routine", None),
        ("personal_advice", "personal_advice", "routine", None),
        ("red_flags_in_metadata", "request_human", "urgent", ["head_injury"]),
        ("emergency", "emergency", "emergency", ["stroke"]),
    ],
)
async def test_reason_and_priority_come_from_the_tracker(
    gateway: Gateway, dispatcher: CollectingDispatcher, fixture: str, reason: str, priority: str, flags: list | None
) -> None:
    events = await ActionHandoff().run(dispatcher, load_tracker(fixture), DOMAIN)
    assert events == [SlotSet("handoff_reason", None)]
    assert _responses(dispatcher) == ["utter_handoff_queued"]
    [handoff] = _handoffs(gateway)
    assert (handoff.reason, handoff.priority, handoff.red_flags) == (reason, priority, flags)


async def test_a_repeated_request_tells_the_same_place(gateway: Gateway) -> None:
    first, second = CollectingDispatcher(), CollectingDispatcher()
    await ActionHandoff().run(first, load_tracker("request_human"), DOMAIN)
    await ActionHandoff().run(second, load_tracker("request_human"), DOMAIN)
    assert _responses(second) == ["utter_handoff_queued"]
    assert second.messages[0]["queue_position"] == 1
    assert len(_handoffs(gateway)) == 1


async def test_nobody_on_duty_offers_a_callback(
    gateway_nobody_on_duty: Gateway, dispatcher: CollectingDispatcher
) -> None:
    # utter_handoff_out_of_hours asks "would you like us to call you back?"; the rules
    # start callback_form when the patient says yes.
    events = await ActionHandoff().run(dispatcher, load_tracker("request_human"), DOMAIN)
    assert events == [SlotSet("handoff_reason", None)]
    assert _responses(dispatcher) == ["utter_handoff_out_of_hours"]
    [handoff] = _handoffs(gateway_nobody_on_duty)
    assert handoff.status == "waiting"  # the request still waits in the queue


async def test_gateway_down_gives_the_clinic_phone_and_logs_no_patient_text(
    gateway_down: str, dispatcher: CollectingDispatcher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    events = await ActionHandoff().run(dispatcher, load_tracker("request_human"), DOMAIN)
    assert events == [SlotSet("handoff_reason", None)]
    assert _responses(dispatcher) == ["utter_handoff_unavailable"]
    assert all(m["text"] is None for m in dispatcher.messages)  # no exception text for the patient
    failures = [r for r in caplog.records if r.name == "actions.handoff" and r.levelno == logging.ERROR]
    assert failures and failures[0].exc_info is not None
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "real doctor" not in logged and "saturday" not in logged


async def test_a_wrong_secret_is_handled_like_an_outage(
    gateway: Gateway, dispatcher: CollectingDispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.settings import get_settings

    get_settings()  # the gateway keeps its secret; only the action server's changes
    monkeypatch.setenv("PATIENTBOT_HANDOFF_SECRET", "not-the-right-secret-at-all")
    await ActionHandoff().run(dispatcher, load_tracker("request_human"), DOMAIN)
    assert _responses(dispatcher) == ["utter_handoff_unavailable"]
    assert _handoffs(gateway) == []


def _feedback_rows(gateway: Gateway) -> list[tuple[str, bool]]:
    with unit_of_work(gateway.factory) as session:
        return [(f.faq_id, f.helpful) for f in session.scalars(select(AnswerFeedback))]


async def test_positive_feedback_is_recorded_and_thanked(gateway: Gateway, dispatcher: CollectingDispatcher) -> None:
    events = await ActionRecordFeedback().run(dispatcher, load_tracker("feedback_positive"), DOMAIN)
    assert events == []
    assert _responses(dispatcher) == ["utter_feedback_thanks"]
    assert _feedback_rows(gateway) == [("opening_hours", True)]


async def test_feedback_from_a_helpful_entity(gateway: Gateway, dispatcher: CollectingDispatcher) -> None:
    await ActionRecordFeedback().run(dispatcher, load_tracker("feedback_entity"), DOMAIN)
    assert _responses(dispatcher) == ["utter_feedback_thanks"]
    assert _feedback_rows(gateway) == [("opening_hours", True)]


def _fresh_tracker_with(name: str, keep_entities: bool) -> Tracker:
    """The fixture's last message alone in a new Rasa tracker, as after the gateway starts a segment."""
    data = load_tracker_dict(name)
    data["events"] = [e for e in data["events"] if e["event"] in ("session_started",)] + [data["events"][-1]]
    if not keep_entities:
        data["latest_message"]["entities"] = []
        data["events"][-1].get("parse_data", {})["entities"] = []
    return Tracker.from_dict(data)


async def test_a_feedback_button_rates_its_answer_in_a_fresh_tracker(
    gateway: Gateway, dispatcher: CollectingDispatcher
) -> None:
    """The gateway may start a new Rasa tracker right after an FAQ answer: the button's entity still names it."""
    await ActionRecordFeedback().run(dispatcher, _fresh_tracker_with("feedback_positive", True), DOMAIN)
    assert _responses(dispatcher) == ["utter_feedback_thanks"]
    assert _feedback_rows(gateway) == [("opening_hours", True)]


async def test_feedback_with_no_answer_to_rate_is_thanked_and_not_recorded(
    gateway: Gateway, dispatcher: CollectingDispatcher
) -> None:
    await ActionRecordFeedback().run(dispatcher, _fresh_tracker_with("feedback_positive", False), DOMAIN)
    assert _responses(dispatcher) == ["utter_feedback_thanks"]
    assert _feedback_rows(gateway) == []


async def test_first_negative_feedback_counts(gateway: Gateway, dispatcher: CollectingDispatcher) -> None:
    events = await ActionRecordFeedback().run(dispatcher, load_tracker("feedback_negative_first"), DOMAIN)
    assert events == [SlotSet("negative_feedback_count", 1.0)]
    assert _responses(dispatcher) == ["utter_feedback_sorry"]
    assert _feedback_rows(gateway) == [("opening_hours", False)]


async def test_second_negative_feedback_hands_off(gateway: Gateway, dispatcher: CollectingDispatcher) -> None:
    events = await ActionRecordFeedback().run(dispatcher, load_tracker("feedback_negative_second"), DOMAIN)
    assert events == [
        SlotSet("negative_feedback_count", 0.0),
        SlotSet("handoff_reason", "negative_feedback"),
        FollowupAction("action_handoff"),
    ]
    assert _responses(dispatcher) == ["utter_feedback_sorry"]
    assert _feedback_rows(gateway) == [("opening_hours", False)]


async def test_feedback_with_the_gateway_down_still_answers(
    gateway_down: str, dispatcher: CollectingDispatcher
) -> None:
    events = await ActionRecordFeedback().run(dispatcher, load_tracker("feedback_negative_first"), DOMAIN)
    assert events == [SlotSet("negative_feedback_count", 1.0)]
    assert _responses(dispatcher) == ["utter_feedback_sorry"]


async def test_callback_is_queued_with_contact_and_consent(
    gateway_nobody_on_duty: Gateway, dispatcher: CollectingDispatcher
) -> None:
    events = await ActionSubmitCallback().run(dispatcher, load_tracker("callback_filled"), DOMAIN)
    assert events == [SlotSet("callback_contact", None), SlotSet("callback_consent", None)]
    assert _responses(dispatcher) == ["utter_callback_saved"]
    [handoff] = _handoffs(gateway_nobody_on_duty)
    assert (handoff.reason, handoff.callback_contact, handoff.callback_consent) == (
        "callback",
        "+1 555 0101",
        True,
    )


async def test_callback_after_being_queued_joins_the_open_request(
    gateway_nobody_on_duty: Gateway,
) -> None:
    await ActionHandoff().run(CollectingDispatcher(), load_tracker("request_human"), DOMAIN)
    dispatcher = CollectingDispatcher()
    await ActionSubmitCallback().run(dispatcher, load_tracker("callback_filled"), DOMAIN)
    assert _responses(dispatcher) == ["utter_callback_saved"]
    [handoff] = _handoffs(gateway_nobody_on_duty)
    assert (handoff.reason, handoff.callback_contact) == ("request_human", "+1 555 0101")


async def test_no_consent_keeps_no_contact(gateway_nobody_on_duty: Gateway, dispatcher: CollectingDispatcher) -> None:
    events = await ActionSubmitCallback().run(dispatcher, load_tracker("callback_no_consent"), DOMAIN)
    assert events == [SlotSet("callback_contact", None), SlotSet("callback_consent", None)]
    assert _responses(dispatcher) == ["utter_callback_declined"]
    assert _handoffs(gateway_nobody_on_duty) == []


async def test_callback_with_the_gateway_down(gateway_down: str, dispatcher: CollectingDispatcher) -> None:
    await ActionSubmitCallback().run(dispatcher, load_tracker("callback_filled"), DOMAIN)
    assert _responses(dispatcher) == ["utter_handoff_unavailable"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+1 555 0101", "+1 555 0101"),
        ("(555) 010-1234", "(555) 010-1234"),
        ("pat@example.org", "pat@example.org"),
        ("call me maybe", None),
        ("12345", None),
        ("+1 555 0101 " * 30, None),
        ("", None),
    ],
)
def test_callback_contact_validation(value: str, expected: str | None, dispatcher: CollectingDispatcher) -> None:
    result = ValidateCallbackForm().validate_callback_contact(value, dispatcher, load_tracker("callback_filled"), DOMAIN)
    assert result == {"callback_contact": expected}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("yes", True), ("No", False), ("/affirm", True), ("perhaps", None)],
)
def test_callback_consent_validation(value: object, expected: bool | None, dispatcher: CollectingDispatcher) -> None:
    result = ValidateCallbackForm().validate_callback_consent(value, dispatcher, load_tracker("callback_filled"), DOMAIN)
    assert result == {"callback_consent": expected}


async def test_the_form_validation_action_runs_as_rasa_calls_it(dispatcher: CollectingDispatcher) -> None:
    tracker = load_tracker("callback_filled")
    tracker.slots["requested_slot"] = "callback_contact"
    tracker.slots["callback_contact"] = "not a number"
    tracker.active_loop = {"name": "callback_form"}
    tracker.events.append({"event": "slot", "name": "callback_contact", "value": "not a number", "timestamp": 5.0})
    events = await ValidateCallbackForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("callback_contact", None) in events


def test_every_response_and_action_exists_in_the_assistant() -> None:
    """The names the actions use must be in domain.yml (responses may be generated from content)."""
    import yaml

    root = ACTIONS_DIR.parent
    domain = yaml.safe_load((root / "domain.yml").read_text())
    responses = dict(domain.get("responses") or {})
    for generated in (root / "data" / "generated").glob("*.yml"):
        responses.update((yaml.safe_load(generated.read_text()) or {}).get("responses") or {})
    used = {
        "utter_handoff_queued", "utter_handoff_out_of_hours", "utter_handoff_unavailable",
        "utter_feedback_thanks", "utter_feedback_sorry", "utter_callback_saved", "utter_callback_declined",
        "utter_ask_callback_contact", "utter_ask_callback_consent",
    }
    assert used <= set(responses), used - set(responses)
    queued = responses["utter_handoff_queued"][0]["text"]
    assert "{queue_position}" in queued and "about {expected_wait}" in queued
    assert {"action_handoff", "action_record_feedback", "action_submit_callback", "validate_callback_form"} <= set(domain["actions"])
    assert {"handoff_reason", "negative_feedback_count", "callback_contact", "callback_consent"} <= set(domain["slots"])
    assert "faq_id" in str(domain["entities"])  # named by the feedback buttons' payloads


@pytest.mark.parametrize(("minutes", "words"), [(0, "1 minute"), (1, "1 minute"), (12, "12 minutes"), (150, "2 hours")])
def test_the_wait_reads_well_after_about(minutes: int, words: str) -> None:
    from actions.tracker_reading import format_wait

    assert format_wait(minutes) == words
