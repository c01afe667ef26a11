"""The gateway's background loops: retry what failed while Rasa was down, purge past retention.

Both are safe with several gateways: a retry holds the conversation's lock
(every gateway respects it) and re-reads the message's status under it, and an
erasure of a conversation another gateway erased first finds nothing to do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.gateway.routing import Router

logger = logging.getLogger(__name__)


async def run_every(
    interval_s: float,
    stop: asyncio.Event,
    job: Callable[[], Awaitable[None]],
    what: str,
    run_first: bool = False,
) -> None:
    """Background task of the app: run `job` every `interval_s` until `stop`; survive its errors."""
    while not stop.is_set():
        if not run_first:
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval_s)
                return
            except asyncio.TimeoutError:
                pass
        run_first = False
        try:
            await job()
        except Exception as exc:  # noqa: BLE001 - the loop must survive anything
            logger.error("%s went wrong: %s", what, type(exc).__name__)


async def retry_forever(router: Router, interval_s: float, stop: asyncio.Event) -> None:
    """Retry failed messages whenever Rasa is reachable."""

    async def retry() -> None:
        if await router.rasa.is_up():
            answered = await router.retry_failed()
            if answered:
                logger.info("answered %d message(s) that had failed while Rasa was down", answered)

    await run_every(interval_s, stop, retry, "retrying failed messages")


async def purge_forever(
    router: Router, retention: timedelta, interval_s: float, stop: asyncio.Event
) -> None:
    """Erase conversations silent for longer than the retention limit, checked every `interval_s`."""

    async def purge() -> None:
        erased = await router.purge_silent(retention)
        if erased:
            logger.info("erased %d conversation(s) past the retention limit", erased)

    # At start-up too: a gateway restarted more often than hourly must still purge.
    await run_every(interval_s, stop, purge, "the retention purge", run_first=True)
