"""Rasa's SQL tracker store on a SQLite file, set up for several Rasa servers at once.

`patientbot run` starts one Rasa server per core, all on one tracker file
(endpoints.yml: `type: bot.tracker_store.SQLiteTrackerStore`). Rasa's own
SQLTrackerStore opens SQLite with SQLAlchemy's defaults: a new connection for
every query and a rollback journal, so each message pays for reopening the file
and for fsyncs, and one server's write blocks the other's reads. This subclass
gives it a connection pool, WAL and a busy timeout (the same settings as the
gateway's own database, bot.db.session). Reading a tracker back resolves each event's class once per event type instead of once per event
(Rasa walks every subclass of Event for every stored event: a tenth of a Rasa
server's CPU under `make bench`, measured with py-spy). Saving writes the new
events in one INSERT, and knows which events are new from the tracker it read
(Rasa counts the stored events with a second query on every save; measured
with `python bench/rasa_profile.py --endpoints endpoints.yml`). Reading runs Rasa's
query as a Core statement built once, which returns just the stored JSON (Rasa
builds an ORM query and loads whole rows for every message; 0.7-1.2 ms of the
16.8 ms a message cost in-process). The schema is Rasa's and so are the rows, so
`rasa shell` and Rasa's tools read the file as usual. Production uses PostgreSQL
with Rasa's stock `type: SQL`.
"""

from __future__ import annotations

import itertools
import json
from functools import cache
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.db.session import sqlite_engine_options, tune_sqlite

# Set on a tracker this store read or saved: how many of its events are stored.
# It belongs to that one tracker object (one request), so it is never stale; a
# tracker without it (created elsewhere, or a copy) falls back to Rasa's count.
_STORED_EVENTS = "_patientbot_stored_events"


@cache
def event_class(type_name: str) -> type[Event]:
    """The Event subclass of a stored type name (ValueError, as in Rasa, for an unknown one)."""
    found = Event.resolve_by_type(type_name)
    if found is None:  # Rasa's old "topic" events, which it skips too
        raise ValueError(f"Unsupported event type '{type_name}'.")
    return found


def deserialise(stored: dict[str, Any]) -> Event | None:
    """One stored event back as an Event, as rasa.shared.core.events.deserialise_events does."""
    type_name = stored.get("event")
    if type_name is None or type_name == "topic":
        return None
    return event_class(type_name)._from_parameters(stored)


def _event_queries(table: sa.Table) -> dict[bool, sa.sql.Select]:
    """Rasa's `_event_query` as Core statements, keyed by `fetch_events_from_all_sessions`.

    The same rows in the same order: a sender's events by id, from the latest
    `session_started` (by timestamp, as Rasa compares) or all of them when there is
    none. Built once: Rasa builds an ORM query per message and loads whole rows.
    """
    sender = sa.bindparam("sender_id")
    session_start = (
        sa.select(sa.func.max(table.c.timestamp))
        .where(table.c.sender_id == sender, table.c.type_name == SessionStarted.type_name)
        .scalar_subquery()
    )
    every = sa.select(table.c.data).where(table.c.sender_id == sender).order_by(table.c.id)
    latest = (
        sa.select(table.c.data)
        .where(
            table.c.sender_id == sender,
            sa.or_(session_start.is_(None), table.c.timestamp >= session_start),
        )
        .order_by(table.c.id)
    )
    return {True: every, False: latest}


class SQLiteTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with a pooled, WAL-mode engine; for SQLite files only."""

    def __init__(
        self,
        domain: Domain | None = None,
        db: str = "rasa.db",
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("dialect", None)
        kwargs.pop("host", None)  # Rasa passes the endpoint's `url`; a file has none
        super().__init__(
            domain=domain, dialect="sqlite", db=db, event_broker=event_broker, **kwargs
        )
        rasa_engine: sa.engine.Engine = getattr(self, "engine")  # noqa: B009 - untyped in Rasa
        url = rasa_engine.url
        rasa_engine.dispose()
        # Statement parameters are patients' messages: keep them out of errors and logs.
        self.engine = sa.create_engine(url, hide_parameters=True, **sqlite_engine_options())
        tune_sqlite(self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        table = self.SQLEvent.__table__
        self._queries = _event_queries(table)
        self._insert = sa.insert(table)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's query (events since the latest session start, by id), built once, rows as text."""
        query = self._queries[fetch_events_from_all_sessions]
        with self.engine.connect() as connection:
            stored = connection.execute(query, {"sender_id": sender_id}).scalars().all()
        if not self.domain or not stored:
            return None
        events = [deserialise(json.loads(data)) for data in stored]
        tracker = DialogueStateTracker.from_events(
            sender_id, [event for event in events if event is not None], self.domain.slots
        )
        setattr(tracker, _STORED_EVENTS, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's new events in one statement (Rasa's rows, Rasa's columns)."""
        await self.stream_events(tracker)
        rows = []
        for event in self._new_events(tracker):
            data = event.as_dict()
            rows.append(
                {
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                }
            )
        if rows:
            with self.engine.begin() as connection:
                connection.execute(self._insert, rows)
        setattr(tracker, _STORED_EVENTS, len(tracker.events))

    def _new_events(self, tracker: DialogueStateTracker) -> list[Event]:
        """The tracker's events not stored yet: known from the tracker itself when this store read it."""
        stored = getattr(tracker, _STORED_EVENTS, None)
        if stored is None:
            with self.session_scope() as session:
                return list(self._additional_events(session, tracker))
        return list(itertools.islice(tracker.events, stored, len(tracker.events)))
