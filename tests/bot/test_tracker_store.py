"""bot.tracker_store: Rasa's SQL tracker store on one SQLite file shared by several Rasa servers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import SQLiteTrackerStore, deserialise


async def test_two_servers_on_one_file_see_each_others_conversations(tmp_path: Path) -> None:
    path = tmp_path / "rasa_tracker.db"
    domain = Domain.empty()
    # What Rasa passes from endpoints.yml: the endpoint's url as `host`, then the kwargs.
    first = SQLiteTrackerStore(host=None, domain=domain, db=str(path))
    second = SQLiteTrackerStore(host=None, domain=domain, db=str(path))
    try:
        tracker = DialogueStateTracker.from_events(
            "conversation-1",
            [SessionStarted(), ActionExecuted("action_listen"), UserUttered("where are you?")],
        )
        await first.save(tracker)
        seen = await second.retrieve("conversation-1")
        assert seen is not None
        assert seen.latest_message is not None
        assert seen.latest_message.text == "where are you?"
        assert await second.retrieve("nobody") is None
    finally:
        first.engine.dispose()
        second.engine.dispose()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_statement_parameters_never_reach_logs_or_errors(tmp_path: Path) -> None:
    store = SQLiteTrackerStore(domain=Domain.empty(), db=str(tmp_path / "t.db"))
    try:
        assert store.engine.hide_parameters
        assert store.engine.pool.size() >= 1  # pooled: not a new file handle per query
    finally:
        store.engine.dispose()


async def test_a_tracker_reads_back_exactly_as_rasa_would_read_it(tmp_path: Path) -> None:
    store = SQLiteTrackerStore(domain=Domain.empty(), db=str(tmp_path / "t.db"))
    events = [
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(
            "what are your opening hours?",
            intent={"name": "faq", "confidence": 0.98},
            parse_data={"response_selector": {"faq": {"response": {"confidence": 0.9}}}},
        ),
        SlotSet("last_faq_id", "opening_hours"),
        BotUttered("We are open 8 to 6.", {"custom": {"rest_point": True}}),
        ActionExecuted("action_listen"),
    ]
    try:
        await store.save(DialogueStateTracker.from_events("c-2", events))
        ours = await store.retrieve("c-2")
        rasas = DialogueStateTracker.from_dict(
            "c-2", [e.as_dict() for e in events], store.domain.slots
        )  # what SQLTrackerStore._retrieve builds
        assert ours is not None
        assert list(ours.events) == list(rasas.events) == events
        assert ours.current_state() == rasas.current_state()
    finally:
        store.engine.dispose()


def test_unknown_event_types_fail_as_in_rasa_and_old_topic_events_are_skipped() -> None:
    with pytest.raises(ValueError, match="Unknown event name"):
        deserialise({"event": "no_such_event", "timestamp": 1.0})
    assert deserialise({"event": "topic", "topic": "x"}) is None
    assert deserialise({"timestamp": 1.0}) is None


def _stored_types(path: Path, sender_id: str) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [
            row[0]
            for row in connection.execute(
                "SELECT type_name FROM events WHERE sender_id = ? ORDER BY id", (sender_id,)
            )
        ]


async def test_every_event_is_stored_once_whichever_server_saves_and_however_often(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rasa_tracker.db"
    first = SQLiteTrackerStore(domain=Domain.empty(), db=str(path))
    second = SQLiteTrackerStore(domain=Domain.empty(), db=str(path))
    try:
        # A new conversation (never read back): Rasa's count decides what is new.
        tracker = DialogueStateTracker.from_events(
            "c-3", [SessionStarted(), ActionExecuted("action_listen")]
        )
        await first.save(tracker)
        tracker.update(UserUttered("hi"))
        await first.save(tracker)
        await first.save(tracker)  # nothing new: nothing written
        assert _stored_types(path, "c-3") == ["session_started", "action", "user"]

        # The next message lands on the other server, which saves twice in one turn.
        read = await second.retrieve("c-3")
        assert read is not None
        read.update(ActionExecuted("utter_greet"))
        await second.save(read)
        read.update(BotUttered("Hello!"))
        read.update(ActionExecuted("action_listen"))
        await second.save(read)

        # The first server reads afresh and starts a new session on top of the old one.
        again = await first.retrieve("c-3")
        assert again is not None and len(again.events) == 6
        again.update(ActionExecuted("action_session_start"))
        again.update(SessionStarted())
        again.update(ActionExecuted("action_listen"))
        await first.save(again)
        again.update(UserUttered("back again"))
        await first.save(again)
    finally:
        first.engine.dispose()
        second.engine.dispose()
    assert _stored_types(path, "c-3") == [
        "session_started",
        "action",
        "user",
        "action",
        "bot",
        "action",
        "action",
        "session_started",
        "action",
        "user",
    ]


async def test_the_latest_session_and_the_full_history_read_as_rasas_own_store_reads_them(
    tmp_path: Path,
) -> None:
    """Our prepared queries against Rasa's `_event_query` on the same file, two sessions deep."""
    from rasa.core.tracker_store import SQLTrackerStore

    path = tmp_path / "t.db"
    ours = SQLiteTrackerStore(domain=Domain.empty(), db=str(path))
    rasas = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    first_session = [SessionStarted(timestamp=10.0), ActionExecuted("action_listen", timestamp=11.0),
                     UserUttered("hi", timestamp=12.0), BotUttered("Hello!", timestamp=13.0)]
    second_session = [ActionExecuted("action_session_start", timestamp=20.0),
                      SessionStarted(timestamp=21.0), ActionExecuted("action_listen", timestamp=22.0),
                      UserUttered("opening hours?", timestamp=23.0)]
    try:
        await ours.save(DialogueStateTracker.from_events("c-5", first_session + second_session))
        await ours.save(DialogueStateTracker.from_events("someone-else", first_session))

        latest, rasas_latest = await ours.retrieve("c-5"), await rasas.retrieve("c-5")
        assert latest is not None and rasas_latest is not None
        assert list(latest.events) == list(rasas_latest.events) == second_session[1:]

        full, rasas_full = await ours.retrieve_full_tracker("c-5"), await rasas.retrieve_full_tracker("c-5")
        assert full is not None and rasas_full is not None
        assert list(full.events) == list(rasas_full.events) == first_session + second_session
        assert await ours.retrieve("nobody") is None and await rasas.retrieve("nobody") is None
    finally:
        ours.engine.dispose()
        rasas.engine.dispose()
