"""An erased conversation's questions leave the inbox in the erasure's own transaction.

The rows would go with the messages through ON DELETE CASCADE, but erasure
does not depend on SQLite's foreign-keys pragma (bot/gateway/conversations.py
deletes explicitly), and neither does this. Groups left empty go too.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.inbox.collect import drop_empty_groups
from bot.inbox.models import InboxQuestion


def forget_conversation(*, session: Session, conversation_id: str) -> int:
    """Delete the conversation's inbox questions; returns how many."""
    result = session.execute(delete(InboxQuestion).where(InboxQuestion.conversation_id == conversation_id))
    drop_empty_groups(session=session)
    return int(result.rowcount or 0)
