"""A unit of work that publishes after commit: events wait on the session until it commits.

Domain code calls `publish_after_commit(session, topic, event)` inside its unit
of work. The events are published once the session commits, to the publisher
its session factory was built with (`bind_publisher`), and are dropped if it
rolls back: a console that reacts to a "claimed" event always finds the claim
in the database, and never hears of a claim that did not happen. A session
factory with no publisher (a command-line tool, where nobody listens) drops them.
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from bot.events.bus import Event, Publisher

logger = logging.getLogger(__name__)

_PUBLISHER_KEY = "patientbot_publisher"
_PENDING_KEY = "patientbot_pending_events"


def bind_publisher(factory: sessionmaker, publisher: Publisher | None) -> sessionmaker:
    """Make every session of `factory` publish its events to `publisher` after commit."""
    info = dict(factory.kw.get("info") or {})
    info[_PUBLISHER_KEY] = publisher
    factory.configure(info=info)
    return factory


def publish_after_commit(session: Session, topic: str, event_: Event) -> None:
    """Queue an event on `session`; it is published once, after the session commits."""
    session.info.setdefault(_PENDING_KEY, []).append((topic, event_))


@event.listens_for(Session, "after_commit")
def _publish_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    publisher: Publisher | None = session.info.get(_PUBLISHER_KEY)
    if not pending or publisher is None:
        return
    for topic, item in pending:
        try:
            publisher.publish(topic, item)
        except Exception:  # a bus failure must never undo or fail a committed change
            logger.exception("publishing event %s on %s failed", item.get("type"), topic)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
