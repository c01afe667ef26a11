"""Telegram alerts for on-duty clinicians, with a button that claims the handoff.

Sent for every new urgent or emergency handoff (or one raised to that), and
for any handoff waiting past handoff_alert_after_s, to each on-duty, enabled
clinician who linked a Telegram chat. Telegram is a third party: the alert
names the priority, the reason and the console link, never what the patient
wrote. Pressing "Claim" claims the handoff for the clinician whose chat it is.

`ClinicianAlerts` listens for the handoff events on the bus (`opened`,
`priority_raised`, and the sweep's `alert`). With several gateways every one of
them hears every event, so each alert is claimed once among them first
(`ConversationLocks.claim_once`); with one gateway each event arrives once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import anyio
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, ContextTypes

from bot.db.session import unit_of_work
from bot.events import topics, vocabulary
from bot.events.bus import Subscriber
from bot.gateway.outbound import Deliver
from bot.handoff import audit, service
from bot.handoff.clinicians import on_duty_telegram_chats
from bot.handoff.errors import HandoffError
from bot.handoff.models import Clinician, Handoff
from bot.handoff.texts import system_text
from bot.locks.base import ConversationLocks
from bot.settings import Settings

logger = logging.getLogger(__name__)

CLAIM_PREFIX = "pb_claim:"
NOTIFY_PRIORITIES = ("urgent", "emergency")


@dataclass(frozen=True)
class Alert:
    handoff_id: str
    priority: str
    reason: str
    chats: list[str]


def console_link(settings: Settings, handoff_id: str) -> str:
    return f"{str(settings.public_url).rstrip('/')}/console/handoffs/{handoff_id}"


def alert_text(alert: Alert, link: str, overdue: bool) -> str:
    what = "still waiting" if overdue else "new"
    return (
        f"PatientBot: {what} {alert.priority.upper()} handoff ({alert.reason.replace('_', ' ')}).\n"
        f"Open the console: {link}"
    )


def claim_keyboard(handoff_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Claim", callback_data=f"{CLAIM_PREFIX}{handoff_id}")]])


def _load_alert(factory: sessionmaker, handoff_id: str) -> Alert | None:
    with unit_of_work(factory) as session:
        handoff = session.get(Handoff, handoff_id)
        if handoff is None or handoff.status != "waiting":
            return None
        return Alert(handoff.id, handoff.priority, handoff.reason, on_duty_telegram_chats(session=session))


class ClinicianNotifier:
    """Owns one python-telegram-bot `Bot` for the gateway's lifetime."""

    def __init__(self, settings: Settings, factory: sessionmaker, bot: Bot | None = None) -> None:
        self.settings = settings
        self.factory = factory
        if bot is None:
            assert settings.telegram_bot_token is not None
            kwargs: dict[str, Any] = {}
            if settings.telegram_api_base_url:
                base = settings.telegram_api_base_url.rstrip("/")
                kwargs = {"base_url": f"{base}/bot", "base_file_url": f"{base}/file/bot"}
            bot = Bot(settings.telegram_bot_token.get_secret_value(), **kwargs)
        self.bot = bot

    async def start(self) -> None:
        await self.bot.initialize()

    async def stop(self) -> None:
        await self.bot.shutdown()

    async def notify(self, handoff_id: str, *, overdue: bool = False) -> int:
        """Alert on-duty clinicians about one handoff; returns how many chats were reached."""
        alert = await anyio.to_thread.run_sync(_load_alert, self.factory, handoff_id)
        if alert is None or (not overdue and alert.priority not in NOTIFY_PRIORITIES):
            return 0
        text = alert_text(alert, console_link(self.settings, handoff_id), overdue)
        reached = 0
        for chat in alert.chats:
            try:
                await self.bot.send_message(chat, text, reply_markup=claim_keyboard(handoff_id))
                reached += 1
            except TelegramError as exc:
                logger.error("alert for handoff %s not sent to a clinician: %s", handoff_id, type(exc).__name__)
        if reached:
            await anyio.to_thread.run_sync(self._audit, handoff_id, reached, overdue)
        return reached

    def _audit(self, handoff_id: str, reached: int, overdue: bool) -> None:
        with unit_of_work(self.factory) as session:
            audit.record(
                session=session,
                action="handoff.clinicians_notified",
                target_type="handoff",
                target_id=handoff_id,
                actor_kind="system",
                details={"telegram_chats": reached, "overdue": overdue},
            )


def claim_from_telegram(
    factory: sessionmaker, settings: Settings, chat_id: str, data: str
) -> tuple[str, service.Claimed | None]:
    """Claim for the clinician who owns `chat_id`; (what to tell them, the claim if made)."""
    handoff_id = data.removeprefix(CLAIM_PREFIX)
    try:
        with unit_of_work(factory) as session:
            clinician = session.scalar(
                select(Clinician).where(Clinician.telegram_chat_id == chat_id, Clinician.disabled.is_(False))
            )
            if clinician is None:
                return "This Telegram account is not linked to an active clinician.", None
            claimed = service.claim_reporting(session=session, handoff_id=handoff_id, clinician_id=clinician.id)
    except HandoffError as error:
        return error.message, None
    return f"Claimed. Open the conversation: {console_link(settings, handoff_id)}", claimed


def claim_handler(factory: sessionmaker, settings: Settings, deliver: Deliver) -> CallbackQueryHandler:
    """A PTB handler for the alerts' "Claim" button; register it before the patients' button handler."""

    async def on_claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or update.effective_chat is None:
            return
        answer, claimed = await anyio.to_thread.run_sync(
            claim_from_telegram, factory, settings, str(update.effective_chat.id), query.data or ""
        )
        await query.answer(answer[:200], show_alert=True)
        if claimed is not None and claimed.new:
            try:  # tell the patient a person has taken over
                await deliver(claimed.conversation_id, system_text("clinician_joined"), sender="system")
            except Exception:
                logger.exception("clinician_joined for handoff %s not delivered", claimed.handoff_id)
        raise ApplicationHandlerStop  # not a patient's quick reply: nobody else handles it

    return CallbackQueryHandler(on_claim, pattern=f"^{CLAIM_PREFIX}[0-9a-f]{{32}}$")


def register_claim_handler(
    application: Any, factory: sessionmaker, settings: Settings, deliver: Deliver
) -> bool:
    """Add the Claim handler to the gateway's PTB application once (group -1 runs first)."""
    if application.bot_data.get("patientbot_claim_handler"):
        return False
    application.add_handler(claim_handler(factory, settings, deliver), group=-1)
    application.bot_data["patientbot_claim_handler"] = True
    return True


# An alert is claimed for this long among the gateways (longer than any handoff waits unclaimed).
ALERT_CLAIM_TTL_S = 8 * 24 * 3600.0


def _alert_key(event: dict[str, Any]) -> tuple[str, bool] | None:
    """(claim key, overdue?) for an event that calls for an alert, else None."""
    handoff_id = event.get("handoff_id")
    if not isinstance(handoff_id, str):
        return None
    kind = event.get("type")
    if kind == vocabulary.ALERT:
        return f"telegram-alert:{handoff_id}:overdue", True
    priority = event.get("priority")
    if kind in (vocabulary.OPENED, vocabulary.PRIORITY_RAISED) and priority in NOTIFY_PRIORITIES:
        return f"telegram-alert:{handoff_id}:{priority}", False
    return None


class ClinicianAlerts:
    """Turns handoff events into Telegram alerts, once per handoff and priority (and once overdue)."""

    def __init__(self, notifier: ClinicianNotifier, bus: Subscriber, locks: ConversationLocks) -> None:
        self.notifier = notifier
        self.bus = bus
        self.locks = locks

    async def handle(self, event: dict[str, Any]) -> int:
        """Alert for one event if it calls for it and no gateway has yet; chats reached."""
        wanted = _alert_key(event)
        if wanted is None:
            return 0
        key, overdue = wanted
        if not await self.locks.claim_once(key, ALERT_CLAIM_TTL_S):
            return 0
        return await self.notifier.notify(str(event["handoff_id"]), overdue=overdue)

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until `stop`; the notifier, started by the caller, is stopped on the way out."""
        try:
            with self.bus.subscribe(topics.HANDOFFS) as subscription:
                while not stop.is_set():
                    try:
                        _topic, event = await subscription.get(timeout=1.0)
                    except asyncio.TimeoutError:
                        continue
                    try:
                        await self.handle(event)
                    except Exception:
                        logger.exception("clinician alert for handoff %s failed", event.get("handoff_id"))
        finally:
            await self.notifier.stop()
