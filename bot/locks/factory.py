"""The locks the settings ask for: Redis when PATIENTBOT_REDIS_URL is set, else in-process."""

from __future__ import annotations

from bot.locks.base import ConversationLocks
from bot.locks.memory import InProcessLocks


def make_locks(redis_url: str | None, prefix: str, ttl_s: float) -> ConversationLocks:
    if not redis_url:
        return InProcessLocks()
    from bot.locks.redis_locks import RedisLocks  # only deployments with Redis need the client

    return RedisLocks(redis_url, prefix=prefix, ttl_s=ttl_s)
