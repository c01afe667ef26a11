"""The support groups' data functions on SQLite and PostgreSQL: links, moderators, cooldowns, report, retention."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import sessionmaker

from bot.db.session import unit_of_work
from bot.groups import activity, links
from bot.groups.errors import AlertNotFound, GroupRemoved, NotAModerator, UnknownClinician
from bot.groups.models import SupportGroupEvent
from tests.support.handoff import make_clinician

T0 = datetime(2026, 12, 1, 9, 0)
CHAT = "-1001234567890"
WEEK = timedelta(days=7)


def add_group(factory: sessionmaker, chat: str = CHAT) -> int:
    with unit_of_work(factory) as session:
        return links.record_bot_added(session=session, telegram_chat_id=chat, title="Diabetes support", now=T0).id


def test_linking_moderators_and_who_may_run_a_group(session_factory: sessionmaker) -> None:
    group_id = add_group(session_factory)
    with unit_of_work(session_factory) as session:
        alice = make_clinician(session, "alice", telegram_chat_id="9001").id
        bob = make_clinician(session, "bob", on_duty=False, telegram_chat_id="9002").id
        carol = make_clinician(session, "carol").id  # on duty, no Telegram account
        group = links.get_group(session=session, group_id=group_id)
        assert not links.is_linked(session=session, group=group)
        assert links.set_moderators(session=session, group_id=group_id, clinician_ids=[bob, alice, carol, alice], now=T0) == sorted([alice, bob, carol])
        assert links.is_linked(session=session, group=group)
        # Alerts go to on-duty moderators with a Telegram chat only.
        assert links.on_duty_moderator_chats(session=session, group_id=group_id) == ["9001"]
        assert links.set_moderators(session=session, group_id=group_id, clinician_ids=[bob], now=T0) == [bob]
        assert links.moderator_ids(session=session, group_id=group_id) == [bob]
        with pytest.raises(UnknownClinician):
            links.set_moderators(session=session, group_id=group_id, clinician_ids=[999_999], now=T0)
        assert [g.id for g in links.visible_groups(session=session, clinician_id=bob, is_admin=False)] == [group_id]
        assert links.visible_groups(session=session, clinician_id=alice, is_admin=False) == []
        assert [g.id for g in links.visible_groups(session=session, clinician_id=alice, is_admin=True)] == [group_id]
        links.require_moderator(session=session, group_id=group_id, clinician_id=bob, is_admin=False)
        links.require_moderator(session=session, group_id=group_id, clinician_id=alice, is_admin=True)
        with pytest.raises(NotAModerator):
            links.require_moderator(session=session, group_id=group_id, clinician_id=alice, is_admin=False)
        assert links.set_myth_watch(session=session, group_id=group_id, enabled=False).myth_watch_enabled is False


def test_removed_bot_forgets_texts_keeps_counts_and_links_again(session_factory: sessionmaker) -> None:
    group_id = add_group(session_factory)
    with unit_of_work(session_factory) as session:
        alice = make_clinician(session, "alice").id
        links.set_moderators(session=session, group_id=group_id, clinician_ids=[alice], now=T0)
        activity.record_event(session=session, group_id=group_id, kind="answer", now=T0, retention=WEEK,
                              detail="flu_vaccine", telegram_message_id=5, message_text="when is the flu clinic")
        links.record_bot_removed(session=session, telegram_chat_id=CHAT, now=T0 + timedelta(hours=1))
    with unit_of_work(session_factory) as session:
        group = links.get_group(session=session, group_id=group_id)
        assert group.status == "removed" and not links.is_linked(session=session, group=group)
        report = activity.activity_report(session=session, group_id=group_id, since=T0 - timedelta(days=1))
        assert report.counts["answer"] == 1
        assert [e.message_text for e in report.events] == [None]
        with pytest.raises(GroupRemoved):
            links.set_moderators(session=session, group_id=group_id, clinician_ids=[alice], now=T0)
        # Added again: same group, moderators kept, active again.
        again = links.record_bot_added(session=session, telegram_chat_id=CHAT, title="Diabetes support group", now=T0 + timedelta(days=1))
        assert again.id == group_id and again.title == "Diabetes support group"
        assert links.is_linked(session=session, group=again)
        moved = links.migrate_group(session=session, old_chat_id=CHAT, new_chat_id="-1009999")
        assert moved is not None and moved.telegram_chat_id == "-1009999"


def test_myth_cooldown_once_per_myth_per_group_per_period(session_factory: sessionmaker) -> None:
    first, second = add_group(session_factory), add_group(session_factory, "-1005555")
    day = timedelta(hours=24)

    def claim(group_id: int, faq_id: str, at: datetime) -> bool:
        with unit_of_work(session_factory) as session:
            return activity.claim_myth_reply(session=session, group_id=group_id, faq_id=faq_id, now=at, period=day)

    assert claim(first, "myth_vaccines_autism", T0)
    assert not claim(first, "myth_vaccines_autism", T0 + timedelta(hours=23, minutes=59))
    assert claim(first, "myth_honey_infants", T0 + timedelta(hours=1))  # another myth
    assert claim(second, "myth_vaccines_autism", T0 + timedelta(hours=1))  # another group
    assert claim(first, "myth_vaccines_autism", T0 + day)
    assert not claim(first, "myth_vaccines_autism", T0 + day + timedelta(hours=1))


def test_report_alerts_and_retention(session_factory: sessionmaker) -> None:
    group_id = add_group(session_factory)
    with unit_of_work(session_factory) as session:
        alice = make_clinician(session, "alice").id
        alert = activity.record_event(session=session, group_id=group_id, kind="red_flag", now=T0, retention=WEEK,
                                      detail="overdose_poisoning", telegram_message_id=7, message_text="(words)").id
        activity.record_event(session=session, group_id=group_id, kind="myth_reply", now=T0 + timedelta(days=2),
                              retention=WEEK, detail="myth_honey_infants", message_text="honey is fine for babies")
        activity.record_event(session=session, group_id=group_id, kind="welcome", now=T0, retention=WEEK)
        with pytest.raises(ValueError):
            activity.record_event(session=session, group_id=group_id, kind="gossip", now=T0, retention=WEEK)
    with unit_of_work(session_factory) as session:
        report = activity.activity_report(session=session, group_id=group_id, since=T0 - timedelta(days=1))
        assert report.counts == {"welcome": 1, "answer": 0, "private_offer": 0, "myth_reply": 1, "red_flag": 1}
        assert [e.id for e in report.open_alerts] == [alert]
        assert activity.open_alert_counts(session=session, group_ids=[group_id]) == {group_id: 1}
        with pytest.raises(AlertNotFound):
            activity.acknowledge_alert(session=session, group_id=group_id + 1, event_id=alert, clinician_id=alice, now=T0)
        activity.acknowledge_alert(session=session, group_id=group_id, event_id=alert, clinician_id=alice, now=T0)
        assert activity.open_alert_counts(session=session, group_ids=[group_id]) == {}
        # A week after the alert its words go; the myth reply's two days later.
        assert activity.purge_expired_texts(session=session, now=T0 + WEEK - timedelta(seconds=1)) == 0
        assert activity.purge_expired_texts(session=session, now=T0 + WEEK) == 1
    with unit_of_work(session_factory) as session:
        texts = {e.kind: e.message_text for e in session.query(SupportGroupEvent)}
        assert texts == {"red_flag": None, "myth_reply": "honey is fine for babies", "welcome": None}
        assert activity.purge_expired_texts(session=session, now=T0 + timedelta(days=9)) == 1
        report = activity.activity_report(session=session, group_id=group_id, since=T0 - timedelta(days=1))
        assert all(e.message_text is None for e in report.events) and report.counts["red_flag"] == 1
