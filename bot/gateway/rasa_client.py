"""The gateway's client of Rasa's REST channel (`POST /webhooks/rest/webhook`).

One shared aiohttp session (connection reuse matters for latency; aiohttp,
already installed with Rasa, costs the gateway about a third of the CPU per
request that httpx did, measured with py-spy under `make bench`), a timeout and
a bounded number of retries from settings. Anything other than a
well-formed answer raises `RasaUnavailable`, so the router has exactly one
failure to handle: tell the patient, keep the message.

Several Rasa servers may stand behind one gateway (a Rasa server runs its
models on one core at a time; `patientbot run` starts one per core). They share
one tracker store, so any of them can serve any conversation. The client sends
each message to the server with the fewest requests in flight from this
gateway (ties go to the sender's own server, a stable hash), and after a failure
to one it has not tried yet. A conversation's messages are never processed by two
servers at once all the same: the router sends a conversation's next message
only after Rasa answered the previous one. Picking the least busy server rather
than a fixed one per sender matters under load: with a fixed hash, 20 patients
split 12/8 between two servers about as often as 10/10, and the busier server sets
the slowest answers (p95 in `make bench`).

The client also keeps at most `max_in_flight` requests at each server and lets
the rest wait here, in arrival order. A Rasa server given 20 requests at once
works on them interleaved and finishes them in no fair order (stock Rasa's p95 is
about 1.8 times its mean at saturation in `make bench`); given two at a time it
is never idle and every message waits its turn in one first-come queue, which
evens out the latency patients see. A message that cannot get a server within
the timeout fails like any other Rasa failure.

A server that refuses connections or drops one (it crashed; `patientbot run`
restarts it) is set aside for a while, so patients' messages go to the others
instead of each paying a failed attempt first. The pause doubles while the
server stays unreachable (1 s up to 30 s); after it, the next message may go
there again, and a failure moves that message on to another server at once.
With every server set aside, messages are still tried: one of them may be back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import zlib
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/rest/webhook"
PARSE_PATH = "/model/parse"
# Statuses worth one more try: Rasa restarting or overloaded.
_RETRY_STATUSES = {502, 503, 504}
# How long a server that refused or dropped a connection is set aside: doubling from the
# first to the longest pause while it stays unreachable.
FIRST_PAUSE_S = 1.0
LONGEST_PAUSE_S = 30.0


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with something unusable."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass
class BotReply:
    """One message the patient will see, merged from Rasa's output parts."""

    text: str = ""
    buttons: list[Button] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass
class RasaResponse:
    """Rasa's answer to one patient message: visible replies plus the custom data that came along."""

    replies: list[BotReply]
    custom: list[dict[str, Any]]

    @property
    def is_rest_point(self) -> bool:
        """True when the bot closed a topic (FAQ answer, small talk): safe to start a new tracker.

        Contract with the Rasa content: responses that end a topic carry a custom
        part ``{"rest_point": true}`` (an FAQ answer may add ``"faq_id"``).
        """
        return any(part.get("rest_point") is True for part in self.custom)

    @property
    def is_not_understood(self) -> bool:
        """True when the bot said it did not understand (ask to rephrase, cannot help).

        Contract with the Rasa content: those responses carry ``{"not_understood": true}``.
        """
        return any(part.get("not_understood") is True for part in self.custom)

    @property
    def faq_ids(self) -> list[str]:
        return [str(part["faq_id"]) for part in self.custom if part.get("faq_id")]


def parse_rasa_output(parts: Any) -> RasaResponse:
    """Turn Rasa's list of output parts into patient-visible replies.

    Rasa's REST collector splits a text on blank lines into several parts and
    sends `custom` data as a part of its own; we merge consecutive text parts back
    into one message (one Telegram message, one chat bubble), keep buttons with
    the text they belong to, and keep custom parts as metadata (never shown).
    """
    if not isinstance(parts, list):
        raise RasaUnavailable("Rasa's answer was not a list")
    replies: list[BotReply] = []
    customs: list[dict[str, Any]] = []
    pending: list[str] = []

    def flush(buttons: list[Button] | None = None, text: str | None = None) -> None:
        texts = pending + ([text] if text else [])
        if texts or buttons:
            replies.append(BotReply(text="\n\n".join(texts), buttons=buttons or []))
        pending.clear()

    for part in parts:
        if not isinstance(part, dict):
            continue
        custom = part.get("custom")
        if isinstance(custom, dict):
            customs.append(custom)
        text = part.get("text")
        raw_buttons = part.get("buttons") or []
        if raw_buttons:
            buttons = [
                Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
                for b in raw_buttons
                if isinstance(b, dict) and b.get("title")
            ]
            flush(buttons, text if isinstance(text, str) else None)
        elif isinstance(text, str) and text:
            pending.append(text)
        elif part.get("image"):
            pending.append(str(part["image"]))
    flush()
    if customs and replies:
        for custom in customs:
            replies[-1].custom.update(custom)
    return RasaResponse(replies=replies, custom=customs)


@dataclass(eq=False)
class _Waiter:
    """A message waiting for a server with room; `future` gets the server's URL."""

    future: asyncio.Future[str]
    sender_id: str
    tried: tuple[str, ...]


class RasaClient:
    """Async client of one or more Rasa servers; create once per process, close at shutdown."""

    def __init__(
        self,
        base_urls: str | Sequence[str],
        timeout_s: float = 10.0,
        retries: int = 1,
        max_in_flight: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        token: str | None = None,
    ) -> None:
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        if max_in_flight is not None and max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1 (or None for no limit)")
        self.base_urls = [url.rstrip("/") for url in urls]
        self.timeout_s = timeout_s
        self.retries = retries
        self.max_in_flight = max_in_flight
        # Rasa's REST channel and HTTP API want it as the `token` query parameter
        # (bot/rasa_channel.py, `rasa run --auth-token`).
        self._params = {"token": token} if token else {}
        self._in_flight = dict.fromkeys(self.base_urls, 0)
        self._clock = clock
        # Per server: until when it is set aside, and how many failures in a row set it aside.
        self._paused_until = dict.fromkeys(self.base_urls, 0.0)
        self._failures = dict.fromkeys(self.base_urls, 0)
        self._waiters: deque[_Waiter] = deque()
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def _client(self) -> aiohttp.ClientSession:
        """The session of the running event loop (aiohttp sessions belong to one loop)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(
                    total=self.timeout_s, sock_connect=min(self.timeout_s, 3.0)
                ),
                connector=aiohttp.TCPConnector(limit=100),
                trust_env=False,  # Rasa is on loopback or the private network, never via a proxy
            )
            self._session_loop = loop
        return self._session

    def server_for(self, sender_id: str, tried: Collection[str] = ()) -> str:
        """The least busy reachable server not yet tried for this message; the sender's own one when idle.

        Preference: untried and not set aside, then any not set aside, then untried, then any.
        """
        count = len(self.base_urls)
        home = zlib.crc32(sender_id.encode("utf-8")) % count
        order = [self.base_urls[(home + step) % count] for step in range(count)]
        untried = [url for url in order if url not in tried]
        now = self._clock()
        reachable = [url for url in order if self._paused_until[url] <= now]
        pools = ([url for url in untried if url in reachable], reachable, untried, order)
        pool = next(candidates for candidates in pools if candidates)
        # min() keeps the first of equals: the sender's own server when loads are equal.
        return min(pool, key=lambda url: self._in_flight[url])

    def set_aside(self) -> list[str]:
        """The servers currently set aside as unreachable (/health shows them)."""
        now = self._clock()
        return [url for url in self.base_urls if self._paused_until[url] > now]

    def _unreachable(self, server: str) -> None:
        """`server` refused or dropped a connection: set it aside, twice as long as last time."""
        self._failures[server] += 1
        pause = min(FIRST_PAUSE_S * 2 ** (self._failures[server] - 1), LONGEST_PAUSE_S)
        self._paused_until[server] = self._clock() + pause
        logger.warning("Rasa server %s unreachable: set aside for %.0f s", server, pause)

    def _reachable(self, server: str) -> None:
        if self._failures[server]:
            logger.info("Rasa server %s answers again", server)
        self._failures[server] = 0
        self._paused_until[server] = 0.0

    def load(self) -> dict[str, int]:
        """Requests in flight per server, and how many messages are `waiting` for one (/health shows it)."""
        return {**self._in_flight, "waiting": len(self._waiters)}

    def _server_with_room(self, sender_id: str, tried: Collection[str]) -> str | None:
        """`server_for`, among the servers below `max_in_flight`; None when all are full."""
        server = self.server_for(sender_id, tried)
        if self.max_in_flight is None or self._in_flight[server] < self.max_in_flight:
            return server
        return None

    async def _acquire(self, sender_id: str, tried: Collection[str]) -> str:
        """A server for this message, waiting in arrival order while every server is full."""
        if not self._waiters:
            server = self._server_with_room(sender_id, tried)
            if server is not None:
                self._in_flight[server] += 1
                return server
        waiter = _Waiter(asyncio.get_running_loop().create_future(), sender_id, tuple(tried))
        self._waiters.append(waiter)
        try:
            await asyncio.wait((waiter.future,), timeout=self.timeout_s)
        except BaseException:  # cancelled while waiting: give back what we may have got
            self._abandon(waiter)
            raise
        if not waiter.future.done():
            self._abandon(waiter)
            raise RasaUnavailable("no Rasa server was free in time")
        return waiter.future.result()

    def _abandon(self, waiter: _Waiter) -> None:
        if waiter.future.done() and not waiter.future.cancelled():
            self._release(waiter.future.result())
            return
        waiter.future.cancel()
        if waiter in self._waiters:
            self._waiters.remove(waiter)

    def _release(self, server: str) -> None:
        """One request at `server` ended: hand its room to the longest-waiting message."""
        self._in_flight[server] -= 1
        while self._waiters:
            waiter = self._waiters[0]
            if waiter.future.done():
                self._waiters.popleft()
                continue
            chosen = self._server_with_room(waiter.sender_id, waiter.tried)
            if chosen is None:
                return
            self._waiters.popleft()
            self._in_flight[chosen] += 1
            waiter.future.set_result(chosen)

    async def send(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> RasaResponse:
        """Send one message as `sender_id`; retries on connection errors, timeouts and 502-504."""
        body = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        last_error: Exception | None = None
        tried: list[str] = []
        for attempt in range(self.retries + 1):
            if attempt and set(self.base_urls) <= set(tried):
                await asyncio.sleep(min(0.2 * attempt, 1.0))  # another server would not wait
            server = await self._acquire(sender_id, tried)
            tried.append(server)
            try:
                async with self._client().post(
                    server + WEBHOOK_PATH, json=body, params=self._params
                ) as response:
                    status = response.status
                    raw = await response.read() if status == 200 else b""
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                last_error = exc
                # Refused, dropped, or no connection within sock_connect (the only socket
                # timeout set); a slow answer (the total timeout) is not a server that is down.
                if isinstance(exc, aiohttp.ClientConnectionError):
                    self._unreachable(server)
                logger.warning(
                    "Rasa request failed (attempt %d): %s", attempt + 1, type(exc).__name__
                )
                continue
            finally:
                self._release(server)
            self._reachable(server)
            if status in _RETRY_STATUSES:
                last_error = RasaUnavailable(f"Rasa answered {status}")
                logger.warning("Rasa answered %d (attempt %d)", status, attempt + 1)
                continue
            if status == 401:
                logger.error("Rasa server %s refused the gateway's token (rasa_token)", server)
            if status != 200:
                raise RasaUnavailable(f"Rasa answered {status}")
            try:
                return parse_rasa_output(json.loads(raw))
            except ValueError as exc:
                raise RasaUnavailable("Rasa's answer was not JSON") from exc
        raise RasaUnavailable(f"Rasa did not answer: {type(last_error).__name__}") from last_error

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's NLU parse of `text` (`POST /model/parse`, the HTTP API): no tracker, no dialogue.

        For messages that are not a patient's conversation, such as a question in a
        support group, whose answer is chosen from the parse alone. One attempt:
        RasaUnavailable when it fails.
        """
        server = await self._acquire(PARSE_PATH, ())
        try:
            async with self._client().post(server + PARSE_PATH, json={"text": text}, params=self._params) as response:
                status = response.status
                raw = await response.read() if status == 200 else b""
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RasaUnavailable(f"Rasa did not answer: {type(exc).__name__}") from exc
        finally:
            self._release(server)
        if status != 200:
            raise RasaUnavailable(f"Rasa answered {status}")
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise RasaUnavailable("Rasa's answer was not JSON") from exc
        if not isinstance(data, dict):
            raise RasaUnavailable("Rasa's parse was not an object")
        return data

    async def is_up(self, timeout_s: float = 2.0) -> bool:
        """Whether at least one Rasa server answers at all (for /health and the retrier)."""
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        for url in self.base_urls:
            try:
                async with self._client().get(url + "/", timeout=timeout) as response:
                    if response.status == 200:
                        return True
            except (aiohttp.ClientError, asyncio.TimeoutError):
                continue
        return False

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
