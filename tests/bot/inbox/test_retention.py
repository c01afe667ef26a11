"""The retention limit empties the inbox too: the gateway's hourly purge of silent conversations takes
their questions with them (the real Gateway and Router, SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.db.base import utcnow
from bot.db.models import Conversation
from bot.db.session import unit_of_work
from bot.events.memory import InProcessBus
from bot.gateway.app import Gateway
from bot.inbox.collect import collect
from bot.inbox.grouping import FaqIndex
from bot.inbox.models import InboxQuestion
from tests.support.fixtures import make_settings
from tests.support.inbox import Talk


async def test_a_conversation_past_the_retention_limit_leaves_the_inbox(
    database_url: str, encoder, faqs: FaqIndex  # type: ignore[no-untyped-def]
) -> None:
    gateway = Gateway(make_settings(database_url), bus=InProcessBus(), detector=None)
    await gateway.start()
    try:
        now = utcnow()
        with unit_of_work(gateway.session_factory) as session:
            old, recent = Talk(session, now - timedelta(days=95)), Talk(session, now - timedelta(days=1))
            old.rephrase("where can i park my car")
            recent.rephrase("is parking free at the clinic")
            collect(session=session, encoder=encoder, faqs=faqs, now=now)
            session.execute(
                update(Conversation).where(Conversation.id == old.id).values(last_message_at=now - timedelta(days=91))
            )
            old_id, recent_id = old.id, recent.id
        assert await gateway.router.purge_silent(timedelta(days=90)) == 1
        with unit_of_work(gateway.session_factory) as session:
            left = list(session.scalars(select(InboxQuestion.conversation_id)))
        assert left == [recent_id] and old_id not in left
    finally:
        await gateway.stop()
