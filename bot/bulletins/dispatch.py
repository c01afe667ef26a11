"""Running sends in the gateway's process: started from the console, resumed at start-up.

The console queues a send (outbox rows) and hands it here; one asyncio task
per send works through it with the Telegram sender, on the gateway's own
event loop, so the page answers at once and shows progress from the outbox.
At start-up `resume` restarts every send that still has queued rows, which
is what makes a crash or a redeploy in the middle of a send harmless.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Any

from anyio import to_thread
from sqlalchemy.orm import sessionmaker

from bot.bulletins import outbox
from bot.bulletins.sender import TelegramBulletinSender, bulletin_text, make_bot
from bot.content.bulletins import Bulletin, load_bulletins, render_bulletin
from bot.content.profile import text_fields
from bot.db.session import unit_of_work
from bot.paths import CLINIC_FILE, CONTENT_DIR
from bot.settings import Settings

logger = logging.getLogger(__name__)


def bulletins_by_id() -> dict[str, Bulletin]:
    bulletins, _defects = load_bulletins(CONTENT_DIR)
    return {b.id: b for b in bulletins}


class Dispatcher:
    def __init__(self, *, settings: Settings, session_factory: sessionmaker) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.tasks: dict[str, asyncio.Task[Any]] = {}

    def start(self, send_id: str, bulletin: Bulletin) -> bool:
        """Send in the background; False if Telegram is not configured (rows stay queued)."""
        if not self.settings.telegram_enabled or (send_id in self.tasks and not self.tasks[send_id].done()):
            return False
        text = bulletin_text(render_bulletin(bulletin, text_fields(CLINIC_FILE)), "telegram")
        self.tasks[send_id] = asyncio.create_task(self._run(send_id, text))
        return True

    async def _run(self, send_id: str, text: str) -> None:
        assert self.settings.telegram_bot_token is not None
        bot = make_bot(self.settings.telegram_bot_token.get_secret_value(), base_url=self.settings.telegram_api_base_url)
        try:
            async with bot:
                await TelegramBulletinSender(session_factory=self.session_factory, bot=bot).run(send_id, text)
        except Exception as exc:  # noqa: BLE001 - the rows stay queued for the next start
            logger.error("bulletin send %s stopped: %s", send_id, type(exc).__name__)

    async def resume(self) -> int:
        """Restart every unfinished send whose bulletin may still go out."""
        def unfinished() -> list[tuple[str, str]]:
            with unit_of_work(self.session_factory) as session:
                return [(s.id, s.bulletin_id) for s in outbox.unfinished_sends(session=session)]

        known = bulletins_by_id()
        started = 0
        for send_id, bulletin_id in await to_thread.run_sync(unfinished):
            bulletin = known.get(bulletin_id)
            if bulletin is None or bulletin.why_not_sendable(date.today()) is not None:
                continue  # expired or withdrawn since: its queued rows stay unsent
            if self.start(send_id, bulletin):
                started += 1
        return started

    async def stop(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)


def dispatcher_for(app: Any, settings: Settings, session_factory: sessionmaker) -> Dispatcher:
    """The gateway's dispatcher (it resumes sends at start-up), or the app's own, made on first use."""
    holder = getattr(app.state, "gateway", None) or app.state
    dispatcher = getattr(holder, "bulletin_dispatcher", None)
    if dispatcher is None:
        dispatcher = Dispatcher(settings=settings, session_factory=session_factory)
        holder.bulletin_dispatcher = dispatcher
    return dispatcher

