"""The bulletin sender against the Bot API stand-in: 2,000 subscribers, 429s, 502s, blocked users.

Proves that nobody gets the bulletin twice, that nobody who opted out (before
the send or by blocking the bot) gets it, and that a send interrupted half-way
resumes without sending anything twice. Prints the time to send (docs/bulletins.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import sessionmaker

from bot.bulletins import outbox
from bot.bulletins.models import OutboxRow, Subscription
from bot.bulletins.sender import TelegramBulletinSender, bulletin_text, make_bot
from bot.bulletins.subscriptions import topics_of, unsubscribe
from bot.content.bulletins import Bulletin
from bot.content.models import Source
from bot.db.session import unit_of_work
from tests.support.telegram_faults import FaultyTelegramApi

NOW = datetime(2026, 12, 4, 12, 0)
FIRST_CHAT = 100_000
BULLETIN = Bulletin(
    id="flu_test",
    title="Flu shots",
    body="Get your flu shot.",
    sources=(Source("Key facts", "CDC", "https://www.cdc.gov/flu/"),),
    reviewed_by="Dr. Test",
    reviewed_on=date(2026, 11, 1),
    status="approved",
    topics=("flu_season",),
    send_after=date(2026, 11, 2),
    expires=date(2027, 3, 1),
)
TEXT = bulletin_text("Flu shots\n\nGet your flu shot.", "telegram")


@pytest.fixture
def start_api() -> Iterator:
    apis: list[FaultyTelegramApi] = []

    def start(**faults) -> FaultyTelegramApi:
        api = FaultyTelegramApi(**faults)
        api.start()
        apis.append(api)
        return api

    yield start
    for api in apis:
        api.stop()


def seed(factory: sessionmaker, chats: range, topic: str) -> None:
    with unit_of_work(factory) as session:
        session.execute(
            insert(Subscription),
            [
                {"channel": "telegram", "external_id": str(chat), "topic": topic, "consent_text": "I agree.",
                 "consented_at": NOW}
                for chat in chats
            ],
        )


def queue(factory: sessionmaker) -> str:
    with unit_of_work(factory) as session:
        return outbox.queue_send(
            session=session, bulletin=BULLETIN, topics=["flu_season"], channels=["telegram"], created_by=None, now=NOW
        ).id


def send(factory: sessionmaker, api: FaultyTelegramApi, send_id: str, **options) -> object:
    async def run() -> object:
        bot = make_bot(api.token, base_url=api.base_url)
        async with bot:
            return await TelegramBulletinSender(session_factory=factory, bot=bot, **options).run(send_id, TEXT)

    return asyncio.run(run())


def progress(factory: sessionmaker, send_id: str) -> dict[str, int]:
    with unit_of_work(factory) as session:
        return outbox.progress(session=session, send_id=send_id)


def test_two_thousand_subscribers_with_429s_502s_and_blocked_users(session_factory: sessionmaker, start_api) -> None:
    subscribers = range(FIRST_CHAT, FIRST_CHAT + 2000)
    seed(session_factory, subscribers, "flu_season")
    seed(session_factory, range(FIRST_CHAT + 5000, FIRST_CHAT + 5200), "covid19")  # another topic: not reached
    blocked = set(subscribers[7::97])
    opted_out = set(subscribers[3::50])
    send_id = queue(session_factory)
    assert progress(session_factory, send_id)["queued"] == 2000
    # Opting out after the bulletin was queued still stops it.
    with unit_of_work(session_factory) as session:
        for chat in opted_out:
            unsubscribe(session=session, channel="telegram", external_id=str(chat))

    api = start_api(blocked=blocked, too_many_at={300, 900, 1500}, bad_gateway_at={50, 51, 1200})
    report = send(session_factory, api, send_id)

    expected = {chat for chat in subscribers if chat not in blocked and chat not in opted_out}
    assert max(api.delivered.values()) == 1, "somebody got the bulletin twice"
    assert set(api.delivered) == expected
    assert not set(api.delivered) & opted_out and not set(api.delivered) & blocked
    assert api.refused == {429: 3, 502: 3, 403: len(blocked - opted_out)}
    assert progress(session_factory, send_id) == {
        "queued": 0, "sending": 0, "sent": len(expected), "failed": 0,
        "unsubscribed": len(blocked | opted_out),
    }
    with unit_of_work(session_factory) as session:
        for chat in blocked:
            assert topics_of(session=session, channel="telegram", external_id=str(chat)) == []
        errors = set(session.execute(select(OutboxRow.last_error).where(OutboxRow.status == "sent")).scalars())
    assert errors == {None}
    assert all(call.params["text"].endswith("To stop these bulletins, send /unsubscribe.")
               for call in api.calls_to("sendMessage"))
    print(
        f"\n2,000 subscribers ({len(expected)} sent, {len(blocked - opted_out)} blocked, {len(opted_out)} opted out,"
        f" 3 x 429, 3 x 502): {report.seconds:.1f} s, {len(expected) / report.seconds:.1f} messages/s,"
        f" busiest second {api.busiest_second()} messages"
    )
    # Sending again finds nothing to do: the outbox has one row per recipient.
    assert send(session_factory, api, queue(session_factory)).sent == 0  # type: ignore[attr-defined]
    assert max(api.delivered.values()) == 1


def test_an_interrupted_send_resumes_and_sends_nobody_twice(session_factory: sessionmaker, start_api) -> None:
    subscribers = range(FIRST_CHAT, FIRST_CHAT + 90)
    seed(session_factory, subscribers, "flu_season")
    send_id = queue(session_factory)
    api = start_api()

    async def crash() -> None:
        bot = make_bot(api.token, base_url=api.base_url)
        async with bot:
            task = asyncio.create_task(
                TelegramBulletinSender(session_factory=session_factory, bot=bot, batch=30).run(send_id, TEXT)
            )
            while sum(api.delivered.values()) < 40:
                await asyncio.sleep(0.01)
            task.cancel()  # the process stops in the middle of a batch
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(crash())
    before = progress(session_factory, send_id)
    assert before["sent"] >= 30 and before["queued"] > 0
    report = send(session_factory, api, send_id)
    after = progress(session_factory, send_id)
    assert max(api.delivered.values()) == 1
    # Rows caught in flight are failed, not resent (they may have arrived); everyone else got it.
    assert after["queued"] == after["sending"] == 0
    assert after["sent"] + after["failed"] == 90
    assert after["sent"] <= sum(api.delivered.values()) <= after["sent"] + after["failed"]
    assert report.sent == after["sent"] - before["sent"]  # type: ignore[attr-defined]


def test_a_bulletin_not_approved_or_expired_is_never_queued(session_factory: sessionmaker) -> None:
    from dataclasses import replace

    seed(session_factory, range(FIRST_CHAT, FIRST_CHAT + 3), "flu_season")
    for bulletin, why in (
        (replace(BULLETIN, status="draft"), "not approved"),
        (replace(BULLETIN, expires=date(2026, 12, 1)), "expired"),
        (replace(BULLETIN, send_after=date(2026, 12, 5)), "send_after"),
    ):
        with unit_of_work(session_factory) as session, pytest.raises(outbox.NotSendable, match=why):
            outbox.queue_send(session=session, bulletin=bulletin, topics=["flu_season"], channels=["telegram"],
                              created_by=None, now=NOW)
    with unit_of_work(session_factory) as session:
        assert session.execute(select(OutboxRow)).first() is None
