"""The handoff sweep as the gateway runs it: every SWEEP_INTERVAL_S, move waiting handoffs on.

`sweep` alerts past handoff_alert_after_s (an `alert` event, which the Telegram
alerts listen for), tells the patient what to do next past handoff_giveup_after_s
(system message `handoff_timeout`, delivered here) while the bot takes the
conversation back, and closes requests past handoff_expire_after_s. Each step is
a conditional UPDATE, so with several gateways only one of them takes it.

Started by the handoff API router's lifespan, which FastAPI merges into the
gateway app's, so it runs wherever the API runs and stops with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import anyio
from fastapi import FastAPI
from sqlalchemy.orm import sessionmaker

from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.gateway.deps import session_factory_for_app, settings_for_app
from bot.gateway.outbound import Deliver, deliver_for_app
from bot.handoff.sweep import SweepResult, sweep
from bot.handoff.texts import system_text
from bot.settings import Settings

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 15.0


class HandoffWorker:
    def __init__(
        self,
        *,
        settings: Settings,
        session_factory: sessionmaker,
        deliver: Deliver,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.factory = session_factory
        self.deliver = deliver
        self.clock = clock

    @classmethod
    def for_app(cls, app: Any) -> HandoffWorker:
        return cls(
            settings=settings_for_app(app),
            session_factory=session_factory_for_app(app),
            deliver=deliver_for_app(app),
        )

    async def sweep_once(self) -> SweepResult:
        now = self.clock()

        def run() -> SweepResult:
            with unit_of_work(self.factory) as session:
                return sweep(
                    session=session,
                    now=now,
                    alert_after_s=self.settings.handoff_alert_after_s,
                    giveup_after_s=self.settings.handoff_giveup_after_s,
                    expire_after_s=self.settings.handoff_expire_after_s,
                )

        result = await anyio.to_thread.run_sync(run)
        for handoff_id, conversation_id in result.timed_out:
            try:
                await self.deliver(conversation_id, system_text("handoff_timeout"), sender="system")
            except Exception:
                logger.exception("timeout message for handoff %s not delivered", handoff_id)
        return result

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.sweep_once()
            except Exception:  # the loop must outlive a database hiccup
                logger.exception("handoff sweep failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=SWEEP_INTERVAL_S)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    stop = asyncio.Event()
    worker = HandoffWorker.for_app(app)
    app.state.handoff_worker = worker
    task = asyncio.create_task(worker.run(stop))
    try:
        yield {}
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)
