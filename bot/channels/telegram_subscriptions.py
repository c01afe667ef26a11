"""/subscribe, /unsubscribe and /topics on Telegram: bulletin topics as inline buttons.

A patient subscribes by pressing a topic's button under a message that says
what they agree to; the same sentence is stored with the time (consent word
for word, bot/bulletins/subscriptions.py). Button data is "t:+:<topic>" to
subscribe and "t:-:<topic>" (or "t:-:*" for all) to stop, well under
Telegram's 64 bytes; the generic quick-reply handler never sees it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.bulletins.subscriptions import (
    HOW_TO_STOP,
    clinic_name,
    consent_wording,
    subscribe,
    topics_of,
    unsubscribe,
)
from bot.content.bulletins import TOPICS
from bot.db.base import utcnow
from bot.db.session import unit_of_work

if TYPE_CHECKING:
    from bot.gateway.routing import Router

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
BUTTON_PATTERN = r"^t:[+-]:"
ALL = "*"


def subscribe_prompt() -> str:
    return (
        "Which health bulletins would you like? Press a topic to subscribe.\n\n"
        f"By pressing a topic you agree that {clinic_name()} sends you health bulletins about it "
        f"on Telegram, reviewed by its clinicians. {HOW_TO_STOP[CHANNEL]}"
    )


def parse_topic_button(data: str | None) -> tuple[bool, str] | None:
    """(subscribe?, topic) from "t:+:<topic>" / "t:-:<topic>|*"; None if not ours or unknown."""
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != "t" or parts[1] not in ("+", "-"):
        return None
    on, topic = parts[1] == "+", parts[2]
    if topic in TOPICS or (topic == ALL and not on):
        return on, topic
    return None


def _keyboard(sign: str, topics: list[str]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(TOPICS[t], callback_data=f"t:{sign}:{t}")] for t in topics]
    if sign == "-" and len(topics) > 1:
        rows.append([InlineKeyboardButton("All topics", callback_data=f"t:-:{ALL}")])
    return InlineKeyboardMarkup(rows)


class TelegramSubscriptions:
    """The three commands and their buttons; the Telegram channel registers them."""

    def __init__(self, router: Router) -> None:
        self.router = router

    def commands(self) -> dict[str, Any]:
        return {"subscribe": self.cmd_subscribe, "unsubscribe": self.cmd_unsubscribe, "topics": self.cmd_topics}

    def button_handler(self) -> CallbackQueryHandler:
        return CallbackQueryHandler(self.on_topic_button, pattern=BUTTON_PATTERN)

    async def _topics(self, chat_id: str) -> list[str]:
        def load() -> list[str]:
            with unit_of_work(self.router.session_factory) as session:
                return topics_of(session=session, channel=CHANNEL, external_id=chat_id)

        return list(await self.router.run_db(load))

    async def cmd_subscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Get vetted health bulletins on topics you choose."""
        assert update.effective_chat is not None
        mine = await self._topics(str(update.effective_chat.id))
        offered = [t for t in TOPICS if t not in mine]
        if not offered:
            await update.effective_chat.send_message(f"You already get every topic. {HOW_TO_STOP[CHANNEL]}")
            return
        await update.effective_chat.send_message(subscribe_prompt(), reply_markup=_keyboard("+", offered))

    async def cmd_unsubscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop health bulletins."""
        assert update.effective_chat is not None
        mine = await self._topics(str(update.effective_chat.id))
        if not mine:
            await update.effective_chat.send_message("You are not subscribed to any bulletins. /subscribe to start.")
            return
        await update.effective_chat.send_message(
            "Which bulletins should stop? Press a topic.", reply_markup=_keyboard("-", mine)
        )

    async def cmd_topics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bulletin topics you get."""
        assert update.effective_chat is not None
        mine = await self._topics(str(update.effective_chat.id))
        if not mine:
            text = "You get no bulletins. Send /subscribe to choose topics."
        else:
            names = ", ".join(TOPICS[t] for t in mine)
            text = f"You get bulletins about: {names}. /subscribe adds topics, /unsubscribe stops them."
        await update.effective_chat.send_message(text)

    async def on_topic_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A topic pressed under /subscribe or /unsubscribe."""
        query = update.callback_query
        assert query is not None
        await query.answer()
        choice = parse_topic_button(query.data)
        if choice is None or update.effective_chat is None:
            return
        on, topic = choice
        chat_id = str(update.effective_chat.id)
        wording = consent_wording(topic=topic, channel=CHANNEL, clinic_name=clinic_name()) if on else ""

        def change() -> bool:
            with unit_of_work(self.router.session_factory) as session:
                if on:
                    return subscribe(
                        session=session, channel=CHANNEL, external_id=chat_id, topic=topic, wording=wording, now=utcnow()
                    )
                return bool(unsubscribe(session=session, channel=CHANNEL, external_id=chat_id,
                                        topic=None if topic == ALL else topic))

        changed = await self.router.run_db(change)
        logger.info("bulletin subscription %s on telegram (changed: %s)", "added" if on else "removed", changed)
        name = "all topics" if topic == ALL else TOPICS[topic]
        if on:
            text = f"Subscribed to {name}. {HOW_TO_STOP[CHANNEL]}"
        else:
            text = f"Stopped: {name}. You will get no more bulletins about it." if topic != ALL else (
                "Stopped: you will get no more bulletins."
            )
        await update.effective_chat.send_message(text)
