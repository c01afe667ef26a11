"""PatientBot in a Telegram support group: welcomes, answers when asked, corrects myths, spots emergencies.

The handlers run in the gateway's PTB Application, registered before the
private-chat ones (bot/channels/telegram.py), and take every update from a
group, so no group message ever reaches the patient router: a group is not a
patient's conversation and nothing of it goes to Rasa's trackers.

For each text message in a group, in this order:

1. the red-flag check (the gateway's safety net, as for patients): the vetted
   emergency guidance is posted in reply, and the group's on-duty moderators
   are alerted on Telegram and in the console, without the member's words;
   this happens even in a group no clinician has linked yet;
2. in a linked group only, a message that mentions the bot or replies to it is
   a question: a vetted FAQ answer with its sources (Rasa's NLU parse, no
   dialogue), never an answer to a personal medical question, which gets a
   private-chat deep link instead;
3. any other message is read by the myth watch (bot/groups/myth_watch.py)
   unless a clinician turned it off for the group; a myth asserted or asked
   about gets the vetted myth answer once per myth per group per
   `group_myth_reply_period_h`.

Only the messages the bot acted on are stored, with their words kept for
`group_message_retention_days` (docs/groups.md). Logs carry ids and kinds, never
a message's text or a member's name.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import anyio
from telegram import Bot, Chat, ChatMember, Message, MessageEntity, ReplyParameters, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, ChatMemberHandler, ContextTypes, MessageHandler, filters

from bot.content.store import ContentNotServed, get_content_store
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.gateway.background import run_every
from bot.gateway.rasa_client import RasaUnavailable
from bot.gateway.texts import emergency_text
from bot.groups import activity, links
from bot.groups import texts as group_texts
from bot.groups.models import SupportGroup
from bot.groups.myth_watch import MythWatch, shared_myth_watch
from bot.safety import needs_clinician_judgement
from bot.safety.categories import LABELS

if TYPE_CHECKING:
    from bot.gateway.routing import Router
    from bot.settings import Settings

logger = logging.getLogger(__name__)

# Rasa's parse (bot/nlu/faq_gate.py): the gate lets an FAQ answer through as intent "faq",
# the ResponseSelector names it "faq/<id>"; the advice guard makes a personal question "personal_advice".
FAQ_INTENT = "faq"
PRIVATE_INTENTS = frozenset({"personal_advice", "request_human"})
PURGE_INTERVAL_S = 3600.0
_PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.RESTRICTED, ChatMember.OWNER)


def faq_id_of(parse: dict[str, Any]) -> str | None:
    """The FAQ whose answer the model gives, or None when it gives none."""
    if (parse.get("intent") or {}).get("name") != FAQ_INTENT:
        return None
    selector = (parse.get("response_selector") or {}).get(FAQ_INTENT) or {}
    key = str((selector.get("response") or {}).get("intent_response_key") or "")
    return key.split("/", 1)[1] if key.startswith(f"{FAQ_INTENT}/") else None


def addressed_question(message: Message, bot_id: int, bot_username: str) -> str | None:
    """The question, if the message mentions the bot or replies to it (the mention taken out)."""
    text = message.text or message.caption or ""
    replied = message.reply_to_message
    to_bot = bool(replied and replied.from_user and replied.from_user.id == bot_id)
    mention = f"@{bot_username}".lower()
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if value.lower() == mention or (entity.user is not None and entity.user.id == bot_id):
            to_bot = True
    if not to_bot:
        return None
    return re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE).strip(" ,:") or text.strip()


class TelegramGroups:
    """The group handlers, the myth watch they use and the retention purge of what they stored."""

    def __init__(
        self,
        settings: Settings,
        router: Router,
        *,
        clock: Callable[[], datetime] = utcnow,
        myth_watch_loader: Callable[[], MythWatch] = shared_myth_watch,
    ) -> None:
        self.settings = settings
        self.router = router
        self.clock = clock
        self._load_myth_watch = myth_watch_loader
        self.myth_watch: MythWatch | None = None
        self.myth_period = timedelta(hours=settings.group_myth_reply_period_h)
        self.retention = timedelta(days=settings.group_message_retention_days)
        self._locks: dict[int, asyncio.Lock] = {}
        self._stop = asyncio.Event()
        self._purge_task: asyncio.Task[None] | None = None

    # -- wiring -------------------------------------------------------------------------

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        """In the order they must be tried, before every private-chat handler."""
        groups = filters.ChatType.GROUPS
        return [
            ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(groups & filters.StatusUpdate.NEW_CHAT_MEMBERS, self.on_new_members),
            MessageHandler(groups & filters.StatusUpdate.MIGRATE, self.on_migrate),
            # Everything else from a group, so the private handlers never see a group's message.
            MessageHandler(groups, self.on_group_message),
        ]

    async def start(self) -> None:
        """Fit the myth watch and start the hourly purge of group messages past their retention."""
        try:
            self.myth_watch = await anyio.to_thread.run_sync(self._load_myth_watch)
        except Exception as exc:  # noqa: BLE001 - emergencies and answers still work without it
            logger.error("the group myth watch could not be loaded (%s): no myth replies", type(exc).__name__)
        self._stop = asyncio.Event()
        self._purge_task = asyncio.create_task(
            run_every(PURGE_INTERVAL_S, self._stop, self._purge_job, "the group message purge", run_first=True)
        )

    async def stop(self) -> None:
        self._stop.set()
        if self._purge_task is not None:
            await asyncio.gather(self._purge_task, return_exceptions=True)

    async def _purge_job(self) -> None:
        await self.purge_expired()

    async def purge_expired(self) -> int:
        now = self.clock()

        def purge() -> int:
            with unit_of_work(self.router.session_factory) as session:
                return activity.purge_expired_texts(session=session, now=now)

        deleted = int(await self.router.run_db(purge))
        if deleted:
            logger.info("deleted the words of %d group message(s) past their retention", deleted)
        return deleted

    def _lock(self, chat_id: int) -> asyncio.Lock:
        return self._locks.setdefault(chat_id, asyncio.Lock())

    async def _db(self, work: Callable[[Any], Any]) -> Any:
        def run() -> Any:
            with unit_of_work(self.router.session_factory) as session:
                return work(session)

        return await self.router.run_db(run)

    # -- membership ---------------------------------------------------------------------

    async def on_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was added to a group, made admin, or removed from it."""
        change = update.my_chat_member
        if change is None or change.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
            return
        chat_id, now = str(change.chat.id), self.clock()
        status = change.new_chat_member.status
        if status in _PRESENT:
            is_admin = status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
            was_present = change.old_chat_member.status in _PRESENT
            await self._db(lambda s: links.record_bot_added(
                session=s, telegram_chat_id=chat_id, title=change.chat.title or "", now=now, bot_is_admin=is_admin))
            logger.info("bot is in group %s (admin: %s)", chat_id, is_admin)
            if not was_present and not is_admin and not context.bot.can_read_all_group_messages:
                await self._send(context.bot, change.chat.id, group_texts.setup_note(self._clinic_name()))
            return
        await self._db(lambda s: links.record_bot_removed(session=s, telegram_chat_id=chat_id, now=now))
        logger.info("bot removed from group %s; its stored message texts are deleted", chat_id)

    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: its link and history follow the new chat id."""
        message = update.effective_message
        if message is None or message.migrate_to_chat_id is None:
            return
        old, new = str(message.chat.id), str(message.migrate_to_chat_id)
        await self._db(lambda s: links.migrate_group(session=s, old_chat_id=old, new_chat_id=new))

    async def on_new_members(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Welcome people who joined a linked group with its rules (one message for all who joined)."""
        message = update.effective_message
        if message is None:
            return
        people = [member for member in message.new_chat_members if not member.is_bot]
        if not people:
            return
        group, linked = await self._group(message.chat)
        if not linked:
            return
        text = group_texts.with_private_link(group_texts.group_text("group_welcome"), context.bot.username)
        await self._send(context.bot, message.chat.id, text)
        now = self.clock()
        await self._db(lambda s: activity.record_event(
            session=s, group_id=group.id, kind="welcome", now=now, retention=self.retention))

    # -- messages -----------------------------------------------------------------------

    async def _group(self, chat: Chat) -> tuple[SupportGroup, bool]:
        """The group's row (created if the bot never heard it was added) and whether it is linked."""
        chat_id, title, now = str(chat.id), chat.title or "", self.clock()

        def load(session: Any) -> tuple[SupportGroup, bool]:
            group = links.find_group(session=session, telegram_chat_id=chat_id)
            if group is None or group.status != "active":
                group = links.record_bot_added(session=session, telegram_chat_id=chat_id, title=title, now=now)
            linked = links.is_linked(session=session, group=group)
            session.expunge(group)
            return group, linked

        return await self._db(load)

    async def on_group_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        # An edit is checked for red flags again (someone may add that they took the pills), but
        # never answered or corrected twice.
        edited = update.edited_message is not None
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        text = (message.text or message.caption or "").strip()
        if not text:
            return
        text = text[: self.router.max_message_chars]
        async with self._lock(message.chat.id):
            group, linked = await self._group(message.chat)
            verdict = await anyio.to_thread.run_sync(self.router.safety.check, text)
            if verdict.is_emergency:
                await self._emergency(context.bot, group, linked, message, text, verdict.category, verdict.language)
                return
            if not linked or edited:
                return
            question = addressed_question(message, context.bot.id, context.bot.username)
            if question is not None:
                await self._answer(context.bot, group, message, question)
            elif group.myth_watch_enabled:
                await self._watch_myths(context.bot, group, message, text)

    async def _emergency(
        self, bot: Bot, group: SupportGroup, linked: bool, message: Message, text: str,
        category: str | None, language: str,
    ) -> None:
        await self._send(bot, message.chat.id, emergency_text(category, language), reply_to=message.message_id)
        now = self.clock()
        # The words are kept (for a while) only where a moderator can be shown them.
        event = await self._db(lambda s: activity.record_event(
            session=s, group_id=group.id, kind="red_flag", now=now, retention=self.retention, detail=category,
            telegram_message_id=message.message_id, message_text=text if linked else None).id)
        logger.warning("red flag (%s) in group %s: guidance posted", category, group.telegram_chat_id)
        if linked:
            reached = await self._alert_moderators(bot, group, event, category, message.message_id)
            await self._db(lambda s: activity.set_alerted(session=s, event_id=event, moderators_alerted=reached))

    async def _alert_moderators(
        self, bot: Bot, group: SupportGroup, event_id: int, category: str | None, message_id: int
    ) -> int:
        chats = await self._db(lambda s: links.on_duty_moderator_chats(session=s, group_id=group.id))
        console = f"{str(self.settings.public_url).rstrip('/')}/console/groups/{group.id}#alert-{event_id}"
        text = group_texts.moderator_alert(
            group_title=group.title or "support group",
            category_label=LABELS.get(category or "", "emergency"),
            console_link=console,
            message_link=group_texts.message_link(group.telegram_chat_id, message_id),
        )
        reached = 0
        for chat in chats:
            try:
                await bot.send_message(chat_id=chat, text=text)
                reached += 1
            except TelegramError as exc:
                logger.error("group alert %s not sent to a moderator: %s", event_id, type(exc).__name__)
        return reached

    async def _answer(self, bot: Bot, group: SupportGroup, message: Message, question: str) -> None:
        """A vetted answer, a private-chat offer for a personal question, or an honest "no answer".

        The medical-advice guard runs here too, before Rasa: a question about the member's
        own case is never answered in the group, even when Rasa cannot be reached.
        """
        personal = await anyio.to_thread.run_sync(needs_clinician_judgement, question)
        parse: dict[str, Any] = {"intent": {"name": "personal_advice"}} if personal else {}
        if not personal:
            try:
                parse = await self.router.rasa.parse(question)
            except RasaUnavailable as exc:
                logger.error("Rasa could not parse a group question: %s", exc)
        intent = str((parse.get("intent") or {}).get("name") or "")
        faq_id = faq_id_of(parse)
        kind, reply = "private_offer", None
        if intent in PRIVATE_INTENTS:
            reply = group_texts.with_private_link(group_texts.group_text("group_private_offer"), bot.username)
        elif faq_id is not None and (answer := self._faq_text(faq_id)) is not None:
            kind, reply = "answer", answer
        if reply is None:
            kind, faq_id = "answer", None
            reply = group_texts.with_private_link(group_texts.group_text("group_not_answered"), bot.username)
        await self._send(bot, message.chat.id, reply, reply_to=message.message_id)
        now = self.clock()
        await self._db(lambda s: activity.record_event(
            session=s, group_id=group.id, kind=kind, now=now, retention=self.retention,
            detail=faq_id if kind == "answer" else None, telegram_message_id=message.message_id,
            message_text=question))

    async def _watch_myths(self, bot: Bot, group: SupportGroup, message: Message, text: str) -> None:
        if self.myth_watch is None:
            return
        verdict = await anyio.to_thread.run_sync(self.myth_watch.verdict, text)
        if verdict.myth is None:
            return
        answer = self._faq_text(verdict.myth)
        if answer is None:
            return
        now, myth = self.clock(), verdict.myth
        if not await self._db(lambda s: activity.claim_myth_reply(
                session=s, group_id=group.id, faq_id=myth, now=now, period=self.myth_period)):
            logger.info("myth %s in group %s already answered within the period", myth, group.telegram_chat_id)
            return
        await self._send(bot, message.chat.id, group_texts.myth_reply(answer), reply_to=message.message_id)
        await self._db(lambda s: activity.record_event(
            session=s, group_id=group.id, kind="myth_reply", now=now, retention=self.retention, detail=myth,
            telegram_message_id=message.message_id, message_text=text))

    # -- sending ------------------------------------------------------------------------

    @staticmethod
    def _faq_text(faq_id: str) -> str | None:
        """The vetted answer with its sources, if the FAQ is still approved and within review."""
        try:
            return get_content_store().faq(faq_id).text
        except ContentNotServed:
            return None

    @staticmethod
    def _clinic_name() -> str:
        return str(get_content_store().clinic.get("clinic_name", "the clinic"))

    @staticmethod
    async def _send(bot: Bot, chat_id: int, text: str, reply_to: int | None = None) -> None:
        reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to else None
        try:
            await bot.send_message(chat_id=chat_id, text=text, reply_parameters=reply)
        except TelegramError as exc:
            logger.error("message to group %s not sent: %s", chat_id, type(exc).__name__)
