"""Keep an erased conversation's part of the dashboard: its facts become rows of `dashboard_counts`.

Called by the gateway's delete_conversation inside the erasure's own unit of
work, before the rows are deleted, so the counts are kept exactly when the
conversation is gone (a rolled-back erasure keeps neither twice).
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.dashboard.facts import Scope, live_facts
from bot.dashboard.models import DashboardCount


def keep_counts(*, session: Session, conversation_id: str) -> int:
    """Add the conversation's facts to `dashboard_counts`; returns how many rows were added."""
    facts = live_facts(session=session, scope=Scope(conversation_id=conversation_id))
    if facts:
        session.execute(
            insert(DashboardCount),
            [
                {"day": f.day, "metric": f.metric, "key": f.key, "key2": f.key2, "value": f.value}
                for f in facts
            ],
        )
    return len(facts)
