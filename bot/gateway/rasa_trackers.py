"""Erasing what Rasa stored of a conversation: its tracker events.

When a patient erases a conversation (/delete, the web chat's delete button) or
it reaches the retention limit, the gateway's rows are not the only copy: Rasa
keeps every message in its tracker store too (the SQL store's `events` table,
one row per event, keyed by sender id). Rasa 3.6 has no API that deletes a
tracker, so the gateway deletes those rows itself, in the database that
endpoints.yml names (settings: `rasa_tracker_db_url`; the embedded default is
var/rasa_tracker.db, production is Rasa's `type: SQL` on PostgreSQL).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa

from bot.db.session import make_engine

logger = logging.getLogger(__name__)

# Rasa's SQLTrackerStore table; only the column we match on is declared.
EVENTS = sa.table("events", sa.column("sender_id", sa.String))


class RasaTrackerEraser:
    """Deletes Rasa's tracker events of given sender ids; create once per gateway."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._engine: sa.engine.Engine | None = None

    @property
    def engine(self) -> sa.engine.Engine:
        if self._engine is None:  # lazily: Rasa creates the file when it first starts
            self._engine = make_engine(self.database_url)
        return self._engine

    def erase(self, sender_ids: Sequence[str]) -> int:
        """Delete every event of these senders; returns how many rows went (0 if Rasa has none)."""
        if not sender_ids:
            return 0
        with self.engine.begin() as connection:
            if not sa.inspect(connection).has_table("events"):
                return 0  # Rasa has not stored anything yet
            result = connection.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(sender_ids)))
            return int(result.rowcount or 0)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
