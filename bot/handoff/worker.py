"""The handoff side's background work inside the gateway: the sweep and clinician alerts.

Started by the handoff API router's lifespan, which FastAPI merges into the
gateway app's (create_app includes the router), so it runs wherever the API
runs and stops with it. Two loops:

- every SWEEP_INTERVAL_S, `sweep`: alert on-duty clinicians about handoffs
  waiting past handoff_alert_after_s; past handoff_giveup_after_s tell the
  patient what to do next (system message `handoff_timeout`) while the bot
  takes the conversation back;
- on the bus, new or raised urgent/emergency handoffs: Telegram alerts with
  a Claim button (when Telegram and clinician notifications are on).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import FastAPI

from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.handoff import bus, outbound
from bot.handoff.deps import session_factory_for_app, settings_for_app
from bot.handoff.notify import ClinicianNotifier, register_claim_handler
from bot.handoff.sweep import SweepResult, sweep
from bot.handoff.texts import system_text

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 15.0
_NOTIFY_TYPES = ("opened", "priority_raised", "emergency")


class HandoffWorker:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.settings = settings_for_app(app)
        self.factory = session_factory_for_app(app)
        self.notifier: ClinicianNotifier | None = None
        self._notified: OrderedDict[tuple[str, str], None] = OrderedDict()

    async def sweep_once(self) -> SweepResult:
        def run() -> SweepResult:
            with unit_of_work(self.factory) as session:
                return sweep(
                    session=session,
                    now=utcnow(),
                    alert_after_s=self.settings.handoff_alert_after_s,
                    giveup_after_s=self.settings.handoff_giveup_after_s,
                    expire_after_s=self.settings.handoff_expire_after_s,
                )

        result = await anyio.to_thread.run_sync(run)
        for handoff_id, conversation_id in result.timed_out:
            try:
                await outbound.deliver(
                    self.app, conversation_id, system_text("handoff_timeout"), sender="system"
                )
            except Exception:
                logger.exception("timeout message for handoff %s not delivered", handoff_id)
        if self.notifier is not None:
            for handoff_id in result.alerted:
                await self.notifier.notify(handoff_id, overdue=True)
        return result

    async def _sweep_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.sweep_once()
            except Exception:  # the loop must outlive a database hiccup
                logger.exception("handoff sweep failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=SWEEP_INTERVAL_S)

    def _first_time(self, handoff_id: str, priority: str) -> bool:
        key = (handoff_id, priority)
        if key in self._notified:
            return False
        self._notified[key] = None
        while len(self._notified) > 1000:
            self._notified.popitem(last=False)
        return True

    async def _notify_forever(self, stop: asyncio.Event) -> None:
        assert self.notifier is not None
        with bus.current_bus().subscribe(bus.HANDOFFS_TOPIC) as subscription:
            while not stop.is_set():
                try:
                    _topic, event = await subscription.get(timeout=1.0)
                except asyncio.TimeoutError:
                    continue
                handoff_id = event.get("handoff_id")
                if event.get("type") not in _NOTIFY_TYPES or not isinstance(handoff_id, str):
                    continue
                priority = str(event.get("priority") or ("emergency" if event.get("type") == "emergency" else ""))
                if not self._first_time(handoff_id, priority):
                    continue
                try:
                    await self.notifier.notify(handoff_id)
                except Exception:
                    logger.exception("clinician alert for handoff %s failed", handoff_id)

    async def _start_notifier(self) -> None:
        settings = self.settings
        if not (settings.telegram_enabled and settings.clinician_telegram_notifications):
            return
        notifier = ClinicianNotifier(settings, self.factory)
        try:
            await notifier.start()
        except Exception as exc:  # alerts are a convenience: the console still works
            logger.error("clinician Telegram alerts are off: %s", type(exc).__name__)
            return
        self.notifier = notifier
        gateway = getattr(self.app.state, "gateway", None)
        application = getattr(getattr(gateway, "telegram", None), "application", None)
        if application is not None:
            register_claim_handler(application, self.factory, settings)

    async def run(self, stop: asyncio.Event) -> None:
        bus.bind_loop()
        await self._start_notifier()
        tasks = [asyncio.create_task(self._sweep_forever(stop))]
        if self.notifier is not None:
            tasks.append(asyncio.create_task(self._notify_forever(stop)))
        try:
            await asyncio.gather(*tasks)
        finally:
            if self.notifier is not None:
                await self.notifier.stop()


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    stop = asyncio.Event()
    worker = HandoffWorker(app)
    app.state.handoff_worker = worker
    task = asyncio.create_task(worker.run(stop))
    try:
        yield {}
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)
