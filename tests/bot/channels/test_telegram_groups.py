"""Support groups through python-telegram-bot against the Bot API stand-in, with the real model and safety net.

One group's life: the bot is added (and says what it needs to see everything),
ignores a myth while no clinician has linked the group but still answers an
emergency there; once linked it welcomes a member, answers a mention and a
reply with vetted answers, offers a private chat for a personal question,
corrects a myth once (a second telling within the period gets nothing, nor
does a myth edited in), posts emergency and crisis guidance (an edit is checked
too) and alerts the on-duty moderator without the member's words, stays quiet about myths once a clinician turns the watch off,
and keeps nothing of the group's messages after it is removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.content.store import get_content_store
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.gateway.texts import emergency_text
from bot.groups import activity, links
from bot.groups.models import SupportGroupEvent
from bot.groups.texts import deep_link, group_text
from tests.support.detectors import emergency_detector
from tests.support.fixtures import make_settings
from tests.support.handoff import make_clinician
from tests.support.servers import free_port, wait_until
from tests.support.telegram_api import BOT_USER, TelegramApiStandIn
from tests.support.telegram_groups import OTHER_MEMBER, GroupChat, replied_to

ON_DUTY_CHAT, OFF_DUTY_CHAT = 9001, 9002
PRIVATE_LINK = deep_link(BOT_USER["username"])
MYTH = "the flu jab gives you the flu, that's why i never have it"


@pytest.fixture
def stand_in() -> Iterator[TelegramApiStandIn]:
    api = TelegramApiStandIn()
    api.start()
    try:
        yield api
    finally:
        api.stop()


def test_a_support_group_from_added_to_removed(
    database_url: str,
    real_rasa_url: str,
    stand_in: TelegramApiStandIn,
    serve_gateway: Callable[..., tuple[str, Any]],
) -> None:
    settings = make_settings(
        database_url, real_rasa_url, telegram_bot_token=stand_in.token, telegram_api_base_url=stand_in.base_url,
        rasa_timeout_s=20.0, public_url="https://clinic.example",
    )
    _base, app = serve_gateway(settings, detector=emergency_detector())
    factory = app.state.gateway.session_factory
    stand_in.wait_for("setMyCommands")
    group = GroupChat(stand_in)

    # Added to a group in privacy mode: the group admin is told what the bot needs.
    group.bot_added()
    [note] = group.wait_sent(1)
    assert "make me an administrator" in note["text"]
    with unit_of_work(factory) as session:
        row = links.find_group(session=session, telegram_chat_id=str(group.chat_id))
        assert row is not None and row.title == "Diabetes support" and row.status == "active"
        assert not links.is_linked(session=session, group=row)
        group_id = row.id

    # Not linked yet: a myth gets nothing, an emergency still gets the guidance (and nobody to alert).
    group.says(MYTH)
    emergency = group.says("my dad just collapsed in the kitchen and he's not breathing, what do i do")
    sent = group.wait_sent(2)
    assert sent[1]["text"] == emergency_text("heart_attack")
    assert replied_to(sent[1]) == emergency["message"]["message_id"]

    with unit_of_work(factory) as session:
        alice = make_clinician(session, "alice", telegram_chat_id=str(ON_DUTY_CHAT)).id
        bob = make_clinician(session, "bob", on_duty=False, telegram_chat_id=str(OFF_DUTY_CHAT)).id
        links.set_moderators(session=session, group_id=group_id, clinician_ids=[alice, bob], now=row.added_at)

    # A member joins: the group's rules and the way to the clinic in private.
    group.members_join(OTHER_MEMBER)
    welcome = group.wait_sent(3)[2]["text"]
    assert welcome == f"{group_text('group_welcome')}\n\nPrivate chat: {PRIVATE_LINK}"
    assert "not for emergencies" in welcome and "personal health details" in welcome

    # Mentioned: the vetted answer with its sources, in reply.
    question = group.mentions_bot("what are your opening hours?")
    answer = group.wait_sent(4)[3]
    assert answer["text"] == get_content_store().faq("opening_hours").text
    assert "Source:" in answer["text"] and replied_to(answer) == question["message"]["message_id"]

    # Replied to: the same, for a follow-up question.
    follow_up = group.replies_to_bot("and how do i book an appointment", bot_message_id=1)
    booked = group.wait_sent(5)[4]
    assert booked["text"] == get_content_store().faq("book_appointment").text
    assert replied_to(booked) == follow_up["message"]["message_id"]

    # A personal question is never answered in the group: a private chat instead.
    group.mentions_bot("should i double my metformin dose, my sugar was 14 this morning")
    offer = group.wait_sent(6)[5]["text"]
    assert offer == f"{group_text('group_private_offer')}\n\nPrivate chat: {PRIVATE_LINK}"

    # A myth, asserted: corrected once, politely, with the vetted answer and its sources.
    myth = group.says(MYTH)
    corrected = group.wait_sent(7)[6]
    assert corrected["text"].startswith(group_text("group_myth_note"))
    assert corrected["text"].endswith(get_content_store().faq("myth_flu_shot_gives_flu").text)
    assert replied_to(corrected) == myth["message"]["message_id"]

    # The same myth again within the period, and an edited message: nothing (the next mention's answer
    # comes next).
    group.says("every time i have the flu vaccine i come down with flu", sender=OTHER_MEMBER)
    group.edits("honey is fine for babies as long as it's organic")
    group.mentions_bot("what time do you close on friday")
    assert group.wait_sent(8)[7]["text"] == get_content_store().faq("opening_hours").text

    # A red flag: guidance in the group, the on-duty moderator alerted without the member's words.
    words = "sorry to post here but my husband has crushing chest pain going down his left arm and he's sweating buckets"
    red = group.says(words)
    assert group.wait_sent(9)[8]["text"] == emergency_text("heart_attack")
    [alert] = stand_in.wait_for("sendMessage", where=lambda c: int(c.params["chat_id"]) == ON_DUTY_CHAT)
    text = alert.params["text"]
    assert "possible emergency" in text and "Diabetes support" in text
    assert f"https://clinic.example/console/groups/{group_id}#alert-" in text
    assert f"https://t.me/c/1234567890/{red['message']['message_id']}" in text
    assert words not in text and "husband" not in text and "sweating" not in text

    # Crisis language, added by editing a message: the crisis line, and another alert.
    group.edits("honestly i just want to kill myself, everything is too much")
    crisis = group.wait_sent(10)[9]["text"]
    assert crisis == emergency_text("suicide_self_harm") and "988" in crisis
    stand_in.wait_for("sendMessage", 2, where=lambda c: int(c.params["chat_id"]) == ON_DUTY_CHAT)
    assert not [c for c in stand_in.calls_to("sendMessage") if int(c.params["chat_id"]) == OFF_DUTY_CHAT]

    # A clinician turns the myth watch off: myths get nothing.
    with unit_of_work(factory) as session:
        links.set_myth_watch(session=session, group_id=group_id, enabled=False)
    group.says("honey is fine for babies as long as it's organic")
    group.mentions_bot("what are your opening hours?")
    assert group.wait_sent(11)[10]["text"] == get_content_store().faq("opening_hours").text

    expected = {"welcome": 1, "answer": 4, "private_offer": 1, "myth_reply": 1, "red_flag": 3}

    def counted() -> bool:  # each event is stored (and its alerts counted) just after its message is sent
        with unit_of_work(factory) as session:
            report = activity.activity_report(session=session, group_id=group_id, since=row.added_at)
            return report.counts == expected and sum(e.moderators_alerted for e in report.events) == 2

    wait_until(counted, 15, message=f"the report never counted {expected}")
    with unit_of_work(factory) as session:
        report = activity.activity_report(session=session, group_id=group_id, since=row.added_at)
        alerts = [e for e in report.events if e.kind == "red_flag"]
        # The unlinked group's emergency kept no words; the linked ones keep them for the moderators.
        assert sorted((e.message_text is None, e.moderators_alerted) for e in alerts) == [(False, 1), (False, 1), (True, 0)]
        assert words in {e.message_text for e in alerts}

    # The hourly purge keeps the words for the whole retention period (its clock an hour short of it)...
    groups = app.state.gateway.telegram.groups
    groups.clock = lambda: row.added_at + timedelta(days=settings.group_message_retention_days, hours=-1)
    assert app.state.gateway.run_in_loop(groups.purge_expired()).result(10) == 0
    groups.clock = utcnow

    # ...but once the bot is removed from the group nothing of its messages is kept; the counts stay.
    group.bot_removed()

    def removed() -> bool:
        with unit_of_work(factory) as session:
            found = links.find_group(session=session, telegram_chat_id=str(group.chat_id))
            texts = [e.message_text for e in session.query(SupportGroupEvent) if e.message_text]
            return found is not None and found.status == "removed" and not texts

    wait_until(removed, 15, message="the group was not marked removed with its texts deleted")
    with unit_of_work(factory) as session:
        assert activity.activity_report(session=session, group_id=group_id, since=row.added_at).counts["red_flag"] == 3


def test_webhook_mode_group_updates_never_reach_a_patient_conversation(
    database_url: str,
    mini_rasa_url: str,
    stand_in: TelegramApiStandIn,
    serve_gateway: Callable[..., tuple[str, Any]],
) -> None:
    port = free_port()
    settings = make_settings(
        database_url, mini_rasa_url, telegram_bot_token=stand_in.token, telegram_api_base_url=stand_in.base_url,
        telegram_mode="webhook", telegram_webhook_secret="webhook-secret-0123456789",
        public_url=f"http://127.0.0.1:{port}",
    )
    _base, app = serve_gateway(settings, port=port, detector=emergency_detector())
    stand_in.wait_for("setWebhook")
    group = GroupChat(stand_in, webhook=True)

    group.bot_added()
    group.wait_sent(1)
    group.says(MYTH)
    group.mentions_bot("what are your opening hours?")
    crisis = group.says("i have a plan to take my life, sorry everyone")
    sent = group.wait_sent(2)
    # Unlinked: no answer, no myth reply; the crisis guidance all the same.
    assert sent[1]["text"] == emergency_text("suicide_self_harm") and replied_to(sent[1]) == crisis["message"]["message_id"]
    gateway = app.state.gateway
    history = gateway.run_in_loop(gateway.require_router().history("telegram", str(group.chat_id))).result(10)
    assert history == []  # nothing of the group was stored as a patient's conversation, or sent to Rasa
