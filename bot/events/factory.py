"""The bus the settings ask for: Redis pub/sub when PATIENTBOT_REDIS_URL is set, else in-process."""

from __future__ import annotations

from bot.events.bus import EventBus
from bot.events.memory import InProcessBus


def make_bus(redis_url: str | None, prefix: str) -> EventBus:
    if not redis_url:
        return InProcessBus()
    from bot.events.redis_bus import RedisBus  # only deployments with Redis need the client

    return RedisBus(redis_url, prefix=prefix)
