"""What flows through the gateway: patient actions in, stored messages out, routing outcomes.

Plain data shared by the router, the channel adapters and the clinician side,
kept apart from the routing logic so that adapters import types, not behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.db.models import Message

COMMAND_INTENTS = {
    "start": "/greet",
    "help": "/help",
    "doctor": "/request_human",
    "cancel": "/cancel",
}
OUTGOING_SENDERS = ("bot", "clinician", "system")
# Replies to the patient may be longer than what a patient may send; channels split them.
OUTGOING_MAX_CHARS = 20_000


@dataclass(frozen=True)
class Incoming:
    """One thing a patient did: typed text, pressed a quick reply, or used a command."""

    channel: str
    external_id: str
    text: str | None = None
    button: tuple[int, int] | None = None  # (message id that offered it, button index)
    command: str | None = None  # a key of COMMAND_INTENTS
    token_hash: str | None = None  # web chat: hash of the browser's session token


@dataclass(frozen=True)
class StoredMessage:
    """A stored message as channels and listeners see it (a detached copy of the row)."""

    id: int
    conversation_id: str
    sender: str
    text: str
    buttons: list[dict[str, str]]
    status: str
    created_at: str
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Message) -> StoredMessage:
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            sender=row.sender,
            text=row.text,
            buttons=list(row.buttons or []),
            status=row.status,
            created_at=row.created_at.isoformat() + "Z",
            meta=dict(row.meta or {}),
        )

    def public(self) -> dict[str, Any]:
        """What a patient's channel may show: no payloads, no bot internals."""
        return {
            "id": self.id,
            "sender": self.sender,
            "text": self.text,
            "buttons": [
                {"title": b.get("title", ""), "index": i} for i, b in enumerate(self.buttons)
            ],
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class ConversationRef:
    id: str
    channel: str
    external_id: str


@dataclass
class RouteResult:
    conversation_id: str
    patient_message: StoredMessage
    replies: list[StoredMessage]
    outcome: str  # "bot" | "clinician" | "failed"
    emergency: bool = False


class ChannelSender(Protocol):
    """A channel that pushes messages to the patient (Telegram); web chat listens on the bus."""

    async def send(self, external_id: str, message: StoredMessage) -> None: ...

    async def typing(self, external_id: str) -> None: ...


class ConversationNotFound(LookupError):
    pass


class ErasureFailed(RuntimeError):
    """Rasa's copy of a conversation could not be erased, so nothing was; the patient can retry."""
