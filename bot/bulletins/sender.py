"""Sending a bulletin's queued outbox rows on Telegram, within Telegram's limits.

Telegram allows a bot about 30 messages a second overall and one a second per
chat, and answers 429 (RetryAfter) to a bot that goes faster. The Bot is built
with python-telegram-bot's AIORateLimiter: it keeps the overall rate, and on a
429 pauses every request for the time Telegram asked, then retries. On top of
it this module spaces messages to one chat a second apart, retries network
errors with exponential backoff, unsubscribes a patient who blocked the bot
(403, on the first one) and records every outcome in the outbox, one row per
transaction, so a restart resumes where the last one stopped.

A timeout is not retried: the message may have arrived, and the outbox
promises at most once. Logs carry counts and error types, never the text or a
chat id.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
from sqlalchemy.orm import sessionmaker
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.bulletins import outbox
from bot.bulletins.models import BulletinSend
from bot.bulletins.subscriptions import HOW_TO_STOP, unsubscribe
from bot.db.base import utcnow
from bot.db.session import unit_of_work

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
OVERALL_PER_SECOND = 30
PER_CHAT_INTERVAL_S = 1.0


def bulletin_text(rendered: str, channel: str) -> str:
    """Every bulletin ends with how to stop it on the channel it arrives on."""
    return f"{rendered}\n\n{HOW_TO_STOP[channel]}"


def make_bot(token: str, *, base_url: str | None = None, rate_limit_retries: int = 3) -> ExtBot:
    """A Bot for bulletins: AIORateLimiter at 30/s, and enough connections to reach it."""
    base = (base_url or "https://api.telegram.org").rstrip("/")
    return ExtBot(
        token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(connection_pool_size=OVERALL_PER_SECOND + 2),
        # One message per 1/30 s rather than 30 per second: the same rate without a burst of 30
        # at the start of each second (aiolimiter's bucket holds max_rate).
        rate_limiter=AIORateLimiter(
            overall_max_rate=1, overall_time_period=1 / OVERALL_PER_SECOND, max_retries=rate_limit_retries
        ),
    )


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    unsubscribed: int = 0
    retries: int = 0
    seconds: float = 0.0


class TelegramBulletinSender:
    """Works through one send's queued Telegram rows until none is left."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker,
        bot: Bot,
        max_attempts: int = 5,
        backoff_s: float = 0.5,
        batch: int = OVERALL_PER_SECOND * 2,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.session_factory = session_factory
        self.bot = bot
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.batch = batch
        self.clock = clock
        self.db = anyio.CapacityLimiter(1)
        self._last_to_chat: dict[str, float] = {}

    async def _db(self, function: Callable[..., object], *args: object) -> object:
        return await anyio.to_thread.run_sync(function, *args, limiter=self.db)

    async def run(self, send_id: str, text: str) -> SendReport:
        """Send `text` (already ending with how to stop) to every queued row of the send."""
        report = SendReport()
        started = time.monotonic()
        await self._db(self._recover, send_id)
        while True:
            claimed = await self._db(self._claim, send_id)
            assert isinstance(claimed, list)
            if not claimed:
                break
            await asyncio.gather(*(self._deliver(row, text, report) for row in claimed))
        report.seconds = time.monotonic() - started
        logger.info(
            "bulletin send %s done: %d sent, %d failed, %d unsubscribed, %d retries in %.1f s",
            send_id, report.sent, report.failed, report.unsubscribed, report.retries, report.seconds,
        )
        return report

    def _recover(self, send_id: str) -> None:
        with unit_of_work(self.session_factory) as session:
            interrupted = outbox.recover_interrupted(session=session, send_id=send_id)
        if interrupted:
            logger.warning("bulletin send %s: %d rows interrupted by a restart, not resent", send_id, interrupted)

    def _claim(self, send_id: str) -> list[outbox.Claimed]:
        with unit_of_work(self.session_factory) as session:
            send = session.get(BulletinSend, send_id)
            if send is None:
                return []
            return outbox.claim(session=session, send=send, channel=CHANNEL, now=self.clock(), limit=self.batch)

    def _mark(self, row: outbox.Claimed, status: str, error: str | None) -> None:
        with unit_of_work(self.session_factory) as session:
            outbox.mark(session=session, row_id=row.row_id, status=status, now=self.clock(), error=error)
            if status == "unsubscribed":
                unsubscribe(session=session, channel=row.channel, external_id=row.external_id)

    async def _space_chat(self, chat: str) -> None:
        """One message a second per chat (AIORateLimiter only limits groups per chat)."""
        last = self._last_to_chat.get(chat)
        self._last_to_chat[chat] = time.monotonic()
        if last is not None and (wait := last + PER_CHAT_INTERVAL_S - time.monotonic()) > 0:
            self._last_to_chat[chat] = last + PER_CHAT_INTERVAL_S
            await asyncio.sleep(wait)

    async def _deliver(self, row: outbox.Claimed, text: str, report: SendReport) -> None:
        status: str = "failed"
        error: str | None = "Unknown"
        for attempt in range(1, self.max_attempts + 1):
            await self._space_chat(row.external_id)
            try:
                await self.bot.send_message(chat_id=int(row.external_id), text=text)
                status, error = "sent", None
                break
            except Forbidden:  # blocked the bot or deactivated: stop on the first 403
                status, error = "unsubscribed", "Forbidden"
                break
            except RetryAfter as exc:  # the limiter's own retries ran out: wait as asked
                error = "RetryAfter"
                wait = exc.retry_after
                await asyncio.sleep(wait.total_seconds() if isinstance(wait, timedelta) else float(wait))
            except TimedOut:  # may have arrived: at most once, so no retry
                status, error = "failed", "TimedOut"
                break
            except BadRequest:  # e.g. chat not found: retrying cannot help
                status, error = "failed", "BadRequest"
                break
            except NetworkError:
                error = "NetworkError"
                await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
            except Exception as exc:  # noqa: BLE001 - recorded, the send goes on
                status, error = "failed", type(exc).__name__
                break
            report.retries += 1
        await self._db(self._mark, row, status, error)
        setattr(report, status, getattr(report, status) + 1)
