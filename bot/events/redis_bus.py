"""The bus over Redis pub/sub, for several gateways: an event published on one reaches all.

Each gateway keeps an in-process bus for its own listeners and relays through
Redis: `publish` hands the event to local subscribers at once and queues it for
Redis; one reader per gateway pattern-subscribes to every topic under the prefix
and hands what other gateways published to its local subscribers (its own
events, recognised by the origin id in the envelope, it already delivered). So
a console on gateway B hears of a handoff opened on A, and a clinician's reply
stored on B reaches the patient's web chat socket held by A.

Redis pub/sub keeps nothing: while Redis is unreachable, events between gateways
are lost (local listeners still get theirs), and both readers and the writer
reconnect with backoff. That is safe because every listener re-reads history
from the database when it reconnects, and the console also polls.

Message events carry the message (a web chat socket shows it), so Redis must be
reachable only by the gateways (loopback or a private network; `rediss://` for TLS).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bot.events.memory import DEFAULT_QUEUE_SIZE, InProcessBus
from bot.events.subscription import Event, Subscription, running_loop

logger = logging.getLogger(__name__)

OUTBOX_SIZE = 10_000  # events waiting for Redis; beyond this the oldest are dropped
READY_TIMEOUT_S = 5.0  # how long start() waits for the first subscription to be confirmed
BACKOFF_S = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


class RedisBus:
    """`EventBus` over Redis pub/sub; `start` on the gateway's loop, `aclose` at shutdown."""

    def __init__(self, url: str, *, prefix: str, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self.url = url
        self.channel_prefix = f"{prefix}:events:"
        self.origin = uuid.uuid4().hex
        self._local = InProcessBus(queue_size)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outbox: asyncio.Queue[tuple[str, str]] | None = None
        self._client: aioredis.Redis | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._ready = asyncio.Event()
        self.dropped = 0

    # -- the interface ---------------------------------------------------------------------

    def subscribe(self, *topics: str, maxsize: int | None = None) -> Subscription:
        return self._local.subscribe(*topics, maxsize=maxsize)

    def subscriber_count(self, topic: str) -> int:
        return self._local.subscriber_count(topic)

    def publish(self, topic: str, event: Event) -> None:
        self._local.publish(topic, event)
        # Serialised now: the caller may change the dict after publishing it.
        envelope = json.dumps({"origin": self.origin, "event": event}, default=str)
        loop = self._loop
        if loop is None or not loop.is_running():
            self._publish_blocking(topic, envelope)  # a tool with no loop of ours (the CLI)
        elif running_loop() is loop:
            self._enqueue(topic, envelope)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._enqueue, topic, envelope)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._outbox = asyncio.Queue(maxsize=OUTBOX_SIZE)
        self._ready = asyncio.Event()
        self._client = aioredis.from_url(self.url)
        self._tasks = [
            asyncio.create_task(self._read_forever(), name="redis-bus-reader"),
            asyncio.create_task(self._write_forever(), name="redis-bus-writer"),
        ]
        try:
            await asyncio.wait_for(self._ready.wait(), READY_TIMEOUT_S)
        except asyncio.TimeoutError:
            logger.error("Redis event bus not connected yet; gateways share no events until it is")

    async def aclose(self) -> None:
        await self._flush(timeout=1.0)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._client is not None:
            await self._client.close()
            await self._client.connection_pool.disconnect()
            self._client = None
        self._loop = None

    # -- relaying --------------------------------------------------------------------------

    def _enqueue(self, topic: str, envelope: str) -> None:
        assert self._outbox is not None
        if self._outbox.full():
            self._outbox.get_nowait()
            self.dropped += 1
        self._outbox.put_nowait((topic, envelope))

    def _publish_blocking(self, topic: str, envelope: str) -> None:
        try:
            with redis.Redis.from_url(self.url, socket_timeout=2) as client:
                client.publish(self.channel_prefix + topic, envelope)
        except RedisError as exc:
            logger.warning("event on %s not shared with other gateways: %s", topic, type(exc).__name__)

    async def _flush(self, timeout: float) -> None:
        """Give the writer a moment to send what is queued (a graceful shutdown)."""
        if self._outbox is None:
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._outbox.join(), timeout)

    async def _write_forever(self) -> None:
        assert self._outbox is not None and self._client is not None
        failures = 0
        while True:
            topic, envelope = await self._outbox.get()
            try:
                await self._client.publish(self.channel_prefix + topic, envelope)
                failures = 0
            except RedisError as exc:
                self.dropped += 1
                logger.warning("event on %s not shared with other gateways: %s", topic, type(exc).__name__)
                await asyncio.sleep(BACKOFF_S[min(failures, len(BACKOFF_S) - 1)])
                failures += 1
            finally:
                self._outbox.task_done()

    async def _read_forever(self) -> None:
        assert self._client is not None
        failures = 0
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(self.channel_prefix + "*")
                self._ready.set()
                if failures:
                    logger.info("Redis event bus reconnected")
                failures = 0
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._relay(message)
            except (RedisError, OSError) as exc:
                logger.warning("Redis event bus disconnected: %s", type(exc).__name__)
                await asyncio.sleep(BACKOFF_S[min(failures, len(BACKOFF_S) - 1)])
                failures += 1
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.close()

    def _relay(self, message: dict[str, Any]) -> None:
        if message.get("type") != "pmessage":
            return
        channel = message["channel"]
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        try:
            envelope = json.loads(message["data"])
            origin, event = envelope["origin"], envelope["event"]
        except (ValueError, KeyError, TypeError):
            logger.warning("ignored a malformed event on the Redis bus")
            return
        if origin != self.origin and isinstance(event, dict):
            self._local.publish(channel.removeprefix(self.channel_prefix), event)
