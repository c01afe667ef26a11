"""Group updates as Telegram sends them, for python-telegram-bot against the Bot API stand-in.

A `GroupChat` builds the updates of one supergroup: the bot added or removed
(`my_chat_member`), members joining (a message with `new_chat_members`), and
members' messages, mentioning the bot or replying to one of its messages.
The updates are queued on the stand-in (polling) or posted to the gateway's
webhook (`webhook=True`), as Telegram would deliver them.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from tests.support.telegram_api import BOT_USER, TelegramApiStandIn

MEMBER = {"id": 81001, "is_bot": False, "first_name": "Dana"}
OTHER_MEMBER = {"id": 81002, "is_bot": False, "first_name": "Sam"}


@dataclass
class GroupChat:
    api: TelegramApiStandIn
    chat_id: int = -1001234567890
    title: str = "Diabetes support"
    _message_ids: Any = field(default_factory=lambda: itertools.count(5000))

    @property
    def chat(self) -> dict[str, Any]:
        return {"id": self.chat_id, "type": "supergroup", "title": self.title}

    # Webhook mode: each update is posted to the gateway's webhook, as Telegram does.
    webhook: bool = False

    def _queue(self, update: dict[str, Any]) -> dict[str, Any]:
        if not self.webhook:
            return self.api.queue_update(update)
        response = self.api.post_to_webhook(update)
        assert response.status_code == 200, response.text
        return update

    def bot_status(self, old: str, new: str, by: dict[str, Any] = MEMBER) -> dict[str, Any]:
        """The bot's own membership changed (Telegram's `my_chat_member`)."""
        bot = {key: BOT_USER[key] for key in ("id", "is_bot", "first_name", "username")}
        return self._queue({
            "my_chat_member": {
                "chat": self.chat,
                "from": by,
                "date": int(time.time()),
                "old_chat_member": {"user": bot, "status": old},
                "new_chat_member": {"user": bot, "status": new},
            }
        })

    def bot_added(self) -> dict[str, Any]:
        return self.bot_status("left", "member")

    def bot_removed(self) -> dict[str, Any]:
        return self.bot_status("member", "left")

    def members_join(self, *members: dict[str, Any]) -> dict[str, Any]:
        message = self._message(members[0], None)
        message["new_chat_members"] = list(members)
        return self._queue({"message": message})

    def _message(self, sender: dict[str, Any], text: str | None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": sender,
        }
        if text is not None:
            message["text"] = text
        return message

    def says(self, text: str, sender: dict[str, Any] = MEMBER) -> dict[str, Any]:
        """A member's message to the group (the bot is not addressed)."""
        return self._queue({"message": self._message(sender, text)})

    def edits(self, text: str, sender: dict[str, Any] = MEMBER) -> dict[str, Any]:
        """A member edited an earlier message (Telegram's `edited_message`)."""
        message = self._message(sender, text)
        message["edit_date"] = int(time.time())
        return self._queue({"edited_message": message})

    def mentions_bot(self, question: str, sender: dict[str, Any] = MEMBER) -> dict[str, Any]:
        mention = f"@{BOT_USER['username']}"
        message = self._message(sender, f"{mention} {question}")
        message["entities"] = [{"type": "mention", "offset": 0, "length": len(mention)}]
        return self._queue({"message": message})

    def replies_to_bot(self, question: str, bot_message_id: int, sender: dict[str, Any] = MEMBER) -> dict[str, Any]:
        message = self._message(sender, question)
        message["reply_to_message"] = {
            "message_id": bot_message_id,
            "date": int(time.time()),
            "chat": self.chat,
            "from": {key: BOT_USER[key] for key in ("id", "is_bot", "first_name", "username")},
            "text": "(an earlier answer)",
        }
        return self._queue({"message": message})

    # -- what the bot sent ---------------------------------------------------------------

    def sent(self) -> list[dict[str, Any]]:
        """Every sendMessage to this group, oldest first, as the stand-in received them."""
        return [c.params for c in self.api.calls_to("sendMessage") if int(c.params["chat_id"]) == self.chat_id]

    def wait_sent(self, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        self.api.wait_for("sendMessage", count, timeout=timeout,
                          where=lambda c: int(c.params["chat_id"]) == self.chat_id)
        return self.sent()


def replied_to(params: dict[str, Any]) -> int | None:
    """The message a sendMessage replied to (PTB sends reply_parameters)."""
    reply = params.get("reply_parameters") or {}
    return int(reply["message_id"]) if reply.get("message_id") is not None else None
