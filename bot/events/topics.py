"""Every topic name on the event bus, built here and nowhere else.

Publishers and subscribers call these functions instead of formatting strings,
so a topic cannot be misspelt on one side only.
"""

from __future__ import annotations

HANDOFFS = "handoffs"
"""Handoff state changes (bot.events.vocabulary) and conversations erased: the console listens."""

MESSAGES = "messages"
"""Every stored message of every conversation, with its status (for the console)."""


def conversation(conversation_id: str) -> str:
    """Every stored message, typing indicator and erasure of one conversation."""
    return f"conversation:{conversation_id}"


def channel(channel_name: str, external_id: str) -> str:
    """The same events addressed by channel identity: a web chat socket follows its
    own conversation this way before it knows the conversation's id."""
    return f"channel:{channel_name}:{external_id}"
