"""Telegram channel: python-telegram-bot handlers in the gateway's own event loop.

Why PTB inside the ASGI app rather than a separate bot process: one process owns
routing and storage, so a Telegram message and a web chat message take exactly
the same path (see PTB's customwebhookbot/starlettebot example). Two modes:

- webhook (production): the Application is built with ``.updater(None)``; the
  gateway's ``POST /telegram/webhook`` route checks Telegram's secret-token header
  and puts the update on the Application's queue;
- polling (local use): PTB's own Updater long-polls getUpdates.

Replies are sent as HTML with every piece of text escaped, split under
Telegram's 4,096-character limit, with quick replies as an inline keyboard.
Button callback data names the stored message and button index ("b:<id>:<i>"),
which keeps it under Telegram's 64-byte limit and lets the router check that the
button really was offered in this chat.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, MessageLimit, ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.telegram_groups import TelegramGroups
from bot.channels.telegram_subscriptions import TelegramSubscriptions
from bot.channels.telegram_webhook import WEBHOOK_PATH, InvalidUpdate, shape_problem
from bot.gateway.messages import ErasureFailed, Incoming, StoredMessage
from bot.gateway.texts import system_text
from bot.gateway.validation import InputError

if TYPE_CHECKING:
    from bot.gateway.routing import Router
    from bot.settings import Settings

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
# Leave room below MessageLimit.MAX_TEXT_LENGTH (4096) for the entities HTML adds.
CHUNK_LIMIT = MessageLimit.MAX_TEXT_LENGTH - 96
NON_TEXT_REPLY = "Sorry, I can only read text messages. Please type your question."


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_within(text: str, limit: int) -> int:
    """Length (in characters) of the longest prefix of `text` within `limit` UTF-16 units."""
    units = 0
    for position, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return position
    return len(text)


def split_message(text: str, limit: int = CHUNK_LIMIT) -> list[str]:
    """Split `text` into chunks of at most `limit` UTF-16 units, at paragraph, line or word breaks."""
    chunks: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        cut = _prefix_within(rest, limit)
        window = rest[:cut]
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position > cut // 4:
                cut = position
                break
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def keyboard_for(message: StoredMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    rows = [
        [
            InlineKeyboardButton(
                str(button.get("title", ""))[:64], callback_data=f"b:{message.id}:{index}"
            )
        ]
        for index, button in enumerate(message.buttons)
    ]
    return InlineKeyboardMarkup(rows)


def parse_callback_data(data: str | None) -> tuple[int, int] | None:
    try:
        kind, message_id, index = (data or "").split(":")
        if kind != "b":
            return None
        return int(message_id), int(index)
    except ValueError:
        return None


class TelegramChannel:
    """The Telegram side of the gateway: builds, starts and stops the PTB Application."""

    def __init__(self, settings: Settings, router: Router) -> None:
        if settings.telegram_bot_token is None:
            raise ValueError("the Telegram channel needs PATIENTBOT_TELEGRAM_BOT_TOKEN")
        self.settings = settings
        self.router = router
        self.mode = settings.telegram_mode
        self.subscriptions = TelegramSubscriptions(router)
        self.groups = TelegramGroups(settings, router)
        self.application = self._build_application()

    # -- building ---------------------------------------------------------------------

    def _build_application(self) -> Application:
        assert self.settings.telegram_bot_token is not None
        builder: ApplicationBuilder = (
            ApplicationBuilder()
            .token(self.settings.telegram_bot_token.get_secret_value())
            # Messages of one chat are serialised by the router; chats run in parallel.
            .concurrent_updates(64)
        )
        if self.settings.telegram_api_base_url:
            base = self.settings.telegram_api_base_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        if self.mode == "webhook":
            builder = builder.updater(None)
        application = builder.build()
        # Support groups first: every update from a group is theirs (docs/groups.md).
        for handler in self.groups.handlers():
            application.add_handler(handler)
        for name, callback in self.commands().items():
            application.add_handler(CommandHandler(name, callback))
        application.add_handler(self.subscriptions.button_handler())
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.on_text))
        # Unknown commands are typed text like any other.
        application.add_handler(MessageHandler(filters.COMMAND, self.on_text))
        application.add_handler(
            MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, self.on_other)
        )
        application.add_error_handler(self.on_error)
        return application

    def commands(self) -> dict[str, Any]:
        """The bot's command menu: name -> handler (its docstring's first line is the description)."""
        return {
            "start": self.cmd_start,
            "help": self.cmd_help,
            "doctor": self.cmd_doctor,
            "cancel": self.cmd_cancel,
            "delete": self.cmd_delete,
            **self.subscriptions.commands(),
        }

    def command_menu(self) -> list[BotCommand]:
        return [
            BotCommand(name, (handler.__doc__ or name).strip().splitlines()[0].rstrip("."))
            for name, handler in self.commands().items()
        ]

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Initialise PTB, register the command menu, then poll or set the webhook."""
        application = self.application
        await application.initialize()
        await application.bot.set_my_commands(self.command_menu())
        if self.mode == "webhook":
            assert self.settings.telegram_webhook_secret is not None
            await application.bot.set_webhook(
                url=f"{str(self.settings.public_url).rstrip('/')}{WEBHOOK_PATH}",
                secret_token=self.settings.telegram_webhook_secret.get_secret_value(),
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            assert application.updater is not None
            await application.updater.start_polling(
                poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES
            )
        await self.groups.start()  # the myth watch is ready before the first update is handled
        await application.start()
        logger.info("Telegram channel started in %s mode", self.mode)

    async def stop(self) -> None:
        await self.groups.stop()
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()

    async def process_webhook_update(self, data: dict[str, Any]) -> None:
        """Queue an update Telegram posted to our webhook (secret already checked).

        InvalidUpdate, and nothing queued, when it is not one the handlers can read.
        """
        problem = shape_problem(data)
        if problem is not None:
            raise InvalidUpdate(problem)
        try:
            update = Update.de_json(data, self.application.bot)
        except (TypeError, KeyError, AttributeError, ValueError, OverflowError):
            raise InvalidUpdate("Update is not a Telegram update.") from None
        await self.application.update_queue.put(update)

    # -- sending (the router calls these) ---------------------------------------------

    async def send(self, external_id: str, message: StoredMessage) -> None:
        """Send a stored message to a chat: escaped HTML, split, keyboard on the last part."""
        chunks = split_message(message.text) or [""]
        markup = keyboard_for(message)
        for position, chunk in enumerate(chunks):
            last = position == len(chunks) - 1
            await self.application.bot.send_message(
                chat_id=int(external_id),
                text=html.escape(chunk, quote=False) or "…",
                parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
            )

    async def typing(self, external_id: str) -> None:
        await self.application.bot.send_chat_action(
            chat_id=int(external_id), action=ChatAction.TYPING
        )

    # -- handlers ---------------------------------------------------------------------

    async def _route(self, update: Update, incoming: Incoming) -> None:
        try:
            await self.router.handle_incoming(incoming)
        except InputError as exc:
            if update.effective_chat is not None:
                await update.effective_chat.send_message(exc.detail)

    @staticmethod
    def _chat_id(update: Update) -> str:
        assert update.effective_chat is not None
        return str(update.effective_chat.id)

    async def cmd_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Start: a welcome and how your data is handled."""
        await self._route(update, Incoming(CHANNEL, self._chat_id(update), command="start"))

    async def cmd_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """What I can help with."""
        await self._route(update, Incoming(CHANNEL, self._chat_id(update), command="help"))

    async def cmd_doctor(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Ask for a clinician to join the conversation."""
        await self._route(update, Incoming(CHANNEL, self._chat_id(update), command="doctor"))

    async def cmd_cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Cancel your request for a clinician."""
        await self._route(update, Incoming(CHANNEL, self._chat_id(update), command="cancel"))

    async def cmd_delete(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Erase this conversation and everything you wrote."""
        chat_id = self._chat_id(update)
        try:
            await self.router.erase(CHANNEL, chat_id)
            outcome = "conversation_deleted"
        except ErasureFailed:
            outcome = "conversation_delete_failed"
        # Not stored: there is no conversation any more to store it in (or it stays as it was).
        await self.application.bot.send_message(chat_id=int(chat_id), text=system_text(outcome))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A typed message (or an unknown /command, which is just text)."""
        if update.effective_message is None or update.effective_message.text is None:
            return
        await self._route(
            update, Incoming(CHANNEL, self._chat_id(update), text=update.effective_message.text)
        )

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A quick reply pressed on an inline keyboard."""
        query = update.callback_query
        assert query is not None
        await query.answer()  # stop the button's spinner at once
        button = parse_callback_data(query.data)
        if button is None or update.effective_chat is None:
            return
        await self._route(update, Incoming(CHANNEL, self._chat_id(update), button=button))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, stickers, voice: we can only read text."""
        if update.effective_chat is not None:
            await update.effective_chat.send_message(NON_TEXT_REPLY)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The exception's type only: its message could quote patient text.
        logger.error("Telegram handler failed: %s", type(context.error).__name__)
