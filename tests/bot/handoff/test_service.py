"""The handoff queue's rules on a real database (each test runs on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.db.base import utcnow
from bot.db.models import Conversation
from bot.db.session import unit_of_work
from bot.events.after_commit import bind_publisher
from bot.events.memory import InProcessBus
from bot.handoff import queue, service
from bot.handoff.clinicians import disable_clinician
from bot.handoff.errors import (
    AlreadyClaimed,
    ClinicianDisabled,
    ConversationNotFound,
    HandoffAlreadyOpen,
    HandoffClosed,
    HandoffNotFound,
    InvalidInput,
    NotClaimedByYou,
    QueueEmpty,
    RatingAlreadyRecorded,
)
from bot.handoff.models import Handoff
from bot.handoff.sweep import sweep
from tests.support.handoff import (
    audit_actions,
    audit_count,
    handoff_row,
    make_clinician,
    make_conversation,
)


def _setup(factory: sessionmaker) -> dict[str, object]:
    with unit_of_work(factory) as s:
        conv = make_conversation(s)
        alice = make_clinician(s, "alice")
        bob = make_clinician(s, "bob")
        return {"conv": conv.id, "alice": alice.id, "bob": bob.id}


def _open(factory: sessionmaker, conv_id: str, **kwargs: object) -> str:
    kwargs.setdefault("reason", "request_human")
    kwargs.setdefault("priority", "routine")
    with unit_of_work(factory) as s:
        return service.open_handoff(session=s, conversation_id=conv_id, **kwargs).id


def _owner(factory: sessionmaker, conv_id: str) -> str:
    with unit_of_work(factory) as s:
        return s.get(Conversation, conv_id).owner


def test_lifecycle_switches_owner_and_audits_every_step(session_factory: sessionmaker) -> None:
    ids = _setup(session_factory)
    assert _owner(session_factory, ids["conv"]) == "bot"

    hid = _open(
        session_factory, ids["conv"], summary={"questions": ["q"]}, red_flags=["chest_pain"]
    )
    assert _owner(session_factory, ids["conv"]) == "clinician"
    with unit_of_work(session_factory) as s:
        h = queue.get_handoff(session=s, handoff_id=hid)
        assert (h.status, h.priority, h.reason, h.red_flags) == (
            "waiting",
            "routine",
            "request_human",
            ["chest_pain"],
        )
        assert queue.queue_position(session=s, handoff=h) == 1
        assert queue.get_open_handoff(session=s, conversation_id=ids["conv"]).id == hid

    with unit_of_work(session_factory) as s:
        h = service.claim(session=s, handoff_id=hid, clinician_id=ids["alice"])
        assert (h.status, h.claimed_by) == ("claimed", ids["alice"])
        assert h.claimed_at is not None
    with unit_of_work(session_factory) as s:
        h = service.release(session=s, handoff_id=hid, clinician_id=ids["alice"])
        assert (h.status, h.claimed_by, h.claimed_at) == ("waiting", None, None)
    assert _owner(session_factory, ids["conv"]) == "clinician"
    with unit_of_work(session_factory) as s:
        service.claim(session=s, handoff_id=hid, clinician_id=ids["bob"])
    with unit_of_work(session_factory) as s:
        h = service.resolve(
            session=s, handoff_id=hid, clinician_id=ids["bob"], outcome_note="Advised GP visit."
        )
        assert (h.status, h.outcome_note) == ("resolved", "Advised GP visit.")
        assert h.resolved_at is not None
    assert _owner(session_factory, ids["conv"]) == "bot"
    with unit_of_work(session_factory) as s:
        assert queue.get_open_handoff(session=s, conversation_id=ids["conv"]) is None
        assert service.record_rating(session=s, conversation_id=ids["conv"], rating=4).rating == 4
    with unit_of_work(session_factory) as s:
        assert audit_actions(s, hid) == [
            "handoff.opened",
            "handoff.claimed",
            "handoff.released",
            "handoff.claimed",
            "handoff.resolved",
            "handoff.rated",
        ]


def test_queue_order_is_priority_then_waiting_time(session_factory: sessionmaker) -> None:
    base = utcnow() - timedelta(minutes=30)
    with unit_of_work(session_factory) as s:
        convs = [make_conversation(s).id for _ in range(4)]
        make_clinician(s, "alice")
    specs = [("routine", 0), ("urgent", 5), ("emergency", 10), ("routine", 15)]
    ids = [
        _open(session_factory, c, priority=p, now=base + timedelta(minutes=m))
        for c, (p, m) in zip(convs, specs)
    ]
    with unit_of_work(session_factory) as s:
        order = [h.id for h in queue.list_queue(session=s)]
        assert order == [ids[2], ids[1], ids[0], ids[3]]
        positions = [queue.queue_position(session=s, handoff=s.get(Handoff, i)) for i in order]
        assert positions == [1, 2, 3, 4]
        waits = [queue.expected_wait_minutes(session=s, position=p) for p in positions]
        assert waits == sorted(waits) and waits[0] >= 1
        assert queue.expected_wait_minutes(session=s, position=0) == 0


def test_claim_next_takes_the_head_of_the_queue(session_factory: sessionmaker) -> None:
    with unit_of_work(session_factory) as s:
        c1, c2 = make_conversation(s).id, make_conversation(s).id
        alice = make_clinician(s, "alice").id
    routine = _open(session_factory, c1, priority="routine")
    urgent = _open(session_factory, c2, priority="urgent")
    with unit_of_work(session_factory) as s:
        assert service.claim_next(session=s, clinician_id=alice).id == urgent
    with unit_of_work(session_factory) as s:
        assert service.claim_next(session=s, clinician_id=alice).id == routine
    with pytest.raises(QueueEmpty), unit_of_work(session_factory) as s:
        service.claim_next(session=s, clinician_id=alice)


def test_a_second_open_handoff_is_refused_and_names_the_open_one(
    session_factory: sessionmaker,
) -> None:
    ids = _setup(session_factory)
    hid = _open(session_factory, ids["conv"])
    with pytest.raises(HandoffAlreadyOpen) as caught, unit_of_work(session_factory) as s:
        service.open_handoff(
            session=s, conversation_id=ids["conv"], reason="fallback", priority="urgent"
        )
    assert caught.value.handoff_id == hid
    with unit_of_work(session_factory) as s:
        assert s.scalar(select(func.count(Handoff.id))) == 1
    with pytest.raises(ConversationNotFound), unit_of_work(session_factory) as s:
        service.open_handoff(
            session=s, conversation_id="nope", reason="fallback", priority="urgent"
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason": "bored"}, "reason"),
        ({"priority": "whenever"}, "priority"),
        ({"callback": {"contact": "+1 555 0101", "consent": False}}, "consent"),
        ({"callback": {"contact": "   ", "consent": True}}, "contact"),
    ],
)
def test_invalid_open_requests_change_nothing(
    session_factory: sessionmaker, kwargs: dict, message: str
) -> None:
    ids = _setup(session_factory)
    with unit_of_work(session_factory) as s:
        before = audit_count(s)
    with pytest.raises(InvalidInput, match=message):
        _open(session_factory, ids["conv"], **kwargs)
    with unit_of_work(session_factory) as s:
        assert s.scalar(select(func.count(Handoff.id))) == 0
        assert audit_count(s) == before
    assert _owner(session_factory, ids["conv"]) == "bot"


def _refused(factory: sessionmaker, hid: str | None, error: type, call) -> None:  # type: ignore[no-untyped-def]
    """Run `call(session)`, expect `error`, and prove that nothing changed."""
    with unit_of_work(factory) as s:
        before = (handoff_row(s, hid) if hid else None, audit_count(s))
    with pytest.raises(error), unit_of_work(factory) as s:
        call(s)
    with unit_of_work(factory) as s:
        assert (handoff_row(s, hid) if hid else None, audit_count(s)) == before


def test_bad_requests_are_domain_errors_that_change_nothing(session_factory: sessionmaker) -> None:
    ids = _setup(session_factory)
    with unit_of_work(session_factory) as s:
        carol = make_clinician(s, "carol").id
    hid = _open(session_factory, ids["conv"])
    alice, bob = ids["alice"], ids["bob"]

    _refused(
        session_factory,
        hid,
        HandoffNotFound,
        lambda s: service.claim(session=s, handoff_id="0" * 32, clinician_id=alice),
    )
    with unit_of_work(session_factory) as s:
        disable_clinician(session=s, username="carol")
    _refused(
        session_factory,
        hid,
        ClinicianDisabled,
        lambda s: service.claim(session=s, handoff_id=hid, clinician_id=carol),
    )
    # Waiting, not claimed: nobody may reply or resolve yet.
    _refused(
        session_factory,
        hid,
        NotClaimedByYou,
        lambda s: service.check_can_reply(session=s, handoff_id=hid, clinician_id=alice),
    )

    with unit_of_work(session_factory) as s:
        service.claim(session=s, handoff_id=hid, clinician_id=alice)
    _refused(
        session_factory,
        hid,
        AlreadyClaimed,
        lambda s: service.claim(session=s, handoff_id=hid, clinician_id=bob),
    )
    _refused(
        session_factory,
        hid,
        NotClaimedByYou,
        lambda s: service.release(session=s, handoff_id=hid, clinician_id=bob),
    )
    _refused(
        session_factory,
        hid,
        NotClaimedByYou,
        lambda s: service.resolve(session=s, handoff_id=hid, clinician_id=bob, outcome_note="x"),
    )
    _refused(
        session_factory,
        hid,
        InvalidInput,
        lambda s: service.resolve(session=s, handoff_id=hid, clinician_id=alice, outcome_note="  "),
    )
    _refused(
        session_factory,
        hid,
        InvalidInput,
        lambda s: service.resolve(
            session=s, handoff_id=hid, clinician_id=alice, outcome_note="x" * 5000
        ),
    )
    _refused(
        session_factory,
        hid,
        HandoffNotFound,
        lambda s: service.record_rating(session=s, conversation_id=ids["conv"], rating=5),
    )

    with unit_of_work(session_factory) as s:
        service.resolve(session=s, handoff_id=hid, clinician_id=alice, outcome_note="done")
    _refused(
        session_factory,
        hid,
        HandoffClosed,
        lambda s: service.check_can_reply(session=s, handoff_id=hid, clinician_id=alice),
    )
    _refused(
        session_factory,
        hid,
        HandoffClosed,
        lambda s: service.claim(session=s, handoff_id=hid, clinician_id=bob),
    )
    _refused(
        session_factory,
        hid,
        HandoffClosed,
        lambda s: service.resolve(
            session=s, handoff_id=hid, clinician_id=alice, outcome_note="again"
        ),
    )
    _refused(
        session_factory,
        hid,
        HandoffClosed,
        lambda s: service.release(session=s, handoff_id=hid, clinician_id=alice),
    )
    _refused(
        session_factory,
        hid,
        HandoffClosed,
        lambda s: service.raise_priority(session=s, handoff_id=hid, priority="emergency"),
    )
    for bad in (0, 6, 2.5, True):
        _refused(
            session_factory,
            hid,
            InvalidInput,
            lambda s, bad=bad: service.record_rating(
                session=s, conversation_id=ids["conv"], rating=bad
            ),
        )
    with unit_of_work(session_factory) as s:
        service.record_rating(session=s, conversation_id=ids["conv"], rating=2)
    _refused(
        session_factory,
        hid,
        RatingAlreadyRecorded,
        lambda s: service.record_rating(session=s, conversation_id=ids["conv"], rating=5),
    )


def test_a_double_click_on_claim_is_not_an_error(session_factory: sessionmaker) -> None:
    ids = _setup(session_factory)
    hid = _open(session_factory, ids["conv"])
    for _ in range(2):
        with unit_of_work(session_factory) as s:
            assert (
                service.claim(session=s, handoff_id=hid, clinician_id=ids["alice"]).claimed_by
                == ids["alice"]
            )
    with unit_of_work(session_factory) as s:
        assert audit_actions(s, hid).count("handoff.claimed") == 1


def test_an_admin_can_release_someone_elses_claim(session_factory: sessionmaker) -> None:
    ids = _setup(session_factory)
    with unit_of_work(session_factory) as s:
        admin = make_clinician(s, "root", role="admin").id
    hid = _open(session_factory, ids["conv"])
    with unit_of_work(session_factory) as s:
        service.claim(session=s, handoff_id=hid, clinician_id=ids["alice"])
    with unit_of_work(session_factory) as s:
        assert service.release(session=s, handoff_id=hid, clinician_id=admin).status == "waiting"


def test_the_patient_can_cancel(session_factory: sessionmaker) -> None:
    ids = _setup(session_factory)
    with unit_of_work(session_factory) as s:
        assert service.cancel(session=s, conversation_id=ids["conv"]) is None
    hid = _open(session_factory, ids["conv"])
    with unit_of_work(session_factory) as s:
        service.claim(session=s, handoff_id=hid, clinician_id=ids["alice"])
    with unit_of_work(session_factory) as s:
        h = service.cancel(session=s, conversation_id=ids["conv"])
        assert (h.id, h.status) == (hid, "cancelled") and h.cancelled_at is not None
    assert _owner(session_factory, ids["conv"]) == "bot"
    with unit_of_work(session_factory) as s:
        assert audit_actions(s, hid)[-1] == "handoff.cancelled"
    _refused(
        session_factory,
        hid,
        HandoffClosed,
        lambda s: service.cancel_handoff(session=s, handoff_id=hid),
    )
    # A new request after cancelling is a new handoff.
    assert _open(session_factory, ids["conv"]) != hid


def test_red_flags_raise_priority_and_reorder_the_queue(session_factory: sessionmaker) -> None:
    with unit_of_work(session_factory) as s:
        c1, c2 = make_conversation(s).id, make_conversation(s).id
    first = _open(session_factory, c1, priority="urgent")
    second = _open(session_factory, c2, priority="routine")
    with unit_of_work(session_factory) as s:
        h, raised = service.raise_priority(
            session=s, handoff_id=second, priority="emergency", red_flags=["stroke"]
        )
        assert raised and (h.priority, h.red_flags) == ("emergency", ["stroke"])
    with unit_of_work(session_factory) as s:
        assert [h.id for h in queue.list_queue(session=s)] == [second, first]
        h, raised = service.raise_priority(session=s, handoff_id=second, priority="routine")
        assert not raised and h.priority == "emergency"


def test_escalate_emergency_opens_or_raises(session_factory: sessionmaker) -> None:
    ids = _setup(session_factory)
    with unit_of_work(session_factory) as s:
        # The gateway passes the detector's flags (dicts); only their categories are kept.
        flags = [{"category": "heart_attack", "matched": "crushing chest pain"}]
        h, created = service.escalate_emergency(
            session=s, conversation_id=ids["conv"], red_flags=flags
        )
        assert created and (h.priority, h.reason, h.red_flags) == (
            "emergency",
            "emergency",
            ["heart_attack"],
        )
    with unit_of_work(session_factory) as s:
        service.cancel(session=s, conversation_id=ids["conv"])
    routine = _open(session_factory, ids["conv"])
    with unit_of_work(session_factory) as s:
        h, created = service.escalate_emergency(
            session=s, conversation_id=ids["conv"], red_flags=["overdose"]
        )
        assert not created and h.id == routine and h.priority == "emergency"
        assert h.red_flags == ["overdose"]


def test_out_of_hours_requests_wait_but_the_bot_keeps_answering(
    session_factory: sessionmaker,
) -> None:
    ids = _setup(session_factory)
    hid = _open(
        session_factory,
        ids["conv"],
        reason="callback",
        callback={"contact": "+1 555 0101", "consent": True},
        clinician_available=False,
    )
    assert _owner(session_factory, ids["conv"]) == "bot"
    with unit_of_work(session_factory) as s:
        h = s.get(Handoff, hid)
        assert (h.status, h.callback_contact, h.callback_consent) == (
            "waiting",
            "+1 555 0101",
            True,
        )
        later = utcnow() + timedelta(hours=10)
        result = sweep(session=s, now=later, alert_after_s=300, giveup_after_s=1800)
        # Clinicians are alerted; the patient, already told what to do, is not messaged again.
        assert result.alerted == [hid] and result.timed_out == []
    # When a clinician claims it in the morning, they take the conversation back.
    with unit_of_work(session_factory) as s:
        service.claim(session=s, handoff_id=hid, clinician_id=ids["alice"])
    assert _owner(session_factory, ids["conv"]) == "clinician"


def test_callback_details_can_be_added_to_the_open_request(session_factory: sessionmaker) -> None:
    ids = _setup(session_factory)
    hid = _open(session_factory, ids["conv"])
    with unit_of_work(session_factory) as s:
        h = service.attach_callback(
            session=s, handoff_id=hid, callback={"contact": "a@b.org", "consent": True}
        )
        assert (h.callback_contact, h.callback_consent) == ("a@b.org", True)
    with unit_of_work(session_factory) as s:
        assert "handoff.callback_added" in audit_actions(s, hid)


def test_sweep_alerts_then_hands_back_to_the_bot_once(session_factory: sessionmaker) -> None:
    ids = _setup(session_factory)
    start = datetime(2026, 3, 2, 10, 0, 0)
    hid = _open(session_factory, ids["conv"], now=start)
    with unit_of_work(session_factory) as s:
        early = sweep(
            session=s, now=start + timedelta(seconds=299), alert_after_s=300, giveup_after_s=1800
        )
        assert early.alerted == [] and early.timed_out == []
    with unit_of_work(session_factory) as s:
        alert = sweep(
            session=s, now=start + timedelta(seconds=301), alert_after_s=300, giveup_after_s=1800
        )
        assert alert.alerted == [hid] and alert.timed_out == []
    assert _owner(session_factory, ids["conv"]) == "clinician"
    with unit_of_work(session_factory) as s:
        gone = sweep(
            session=s, now=start + timedelta(seconds=1801), alert_after_s=300, giveup_after_s=1800
        )
        assert gone.alerted == [] and gone.timed_out == [(hid, ids["conv"])]
    assert _owner(session_factory, ids["conv"]) == "bot"
    with unit_of_work(session_factory) as s:
        again = sweep(
            session=s, now=start + timedelta(hours=5), alert_after_s=300, giveup_after_s=1800
        )
        assert again.alerted == [] and again.timed_out == []
        h = s.get(Handoff, hid)
        assert h.status == "waiting"  # the request stays queued
        assert audit_actions(s, hid) == ["handoff.opened", "handoff.alerted", "handoff.timed_out"]


def test_a_request_nobody_claims_for_a_week_expires_and_can_no_longer_be_claimed(
    session_factory: sessionmaker,
) -> None:
    ids = _setup(session_factory)
    start = datetime(2026, 3, 6, 18, 0, 0)  # a Friday evening
    hid = _open(session_factory, ids["conv"], now=start)
    week = 7 * 24 * 3600

    def run(at: datetime):  # type: ignore[no-untyped-def]
        with unit_of_work(session_factory) as s:
            return sweep(
                session=s, now=at, alert_after_s=300, giveup_after_s=1800, expire_after_s=week
            )

    # Past the long weekend it is still queued (and the patient was told what to do).
    monday = run(start + timedelta(days=3, hours=14))
    assert monday.timed_out == [(hid, ids["conv"])] and monday.expired == []
    with unit_of_work(session_factory) as s:
        assert s.get(Handoff, hid).status == "waiting"

    expired = run(start + timedelta(seconds=week + 1))
    assert expired.expired == [hid] and expired.alerted == [] and expired.timed_out == []
    assert run(start + timedelta(days=30)).expired == []  # once only
    with unit_of_work(session_factory) as s:
        h = s.get(Handoff, hid)
        assert h.status == "expired" and h.expired_at == start + timedelta(seconds=week + 1)
        assert audit_actions(s, hid)[-1] == "handoff.expired"
        assert s.execute(select(func.count()).select_from(Handoff).where(
            Handoff.status.in_(("waiting", "claimed"))
        )).scalar_one() == 0
    assert _owner(session_factory, ids["conv"]) == "bot"
    with pytest.raises(HandoffClosed), unit_of_work(session_factory) as s:
        service.claim(session=s, handoff_id=hid, clinician_id=ids["alice"])
    # The patient may ask again: a new request opens.
    assert _open(session_factory, ids["conv"]) != hid


class RecordingPublisher:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict]] = []

    def publish(self, topic: str, event: dict) -> None:
        self.published.append((topic, event))


def test_events_are_published_once_and_only_after_commit(session_factory: sessionmaker) -> None:
    publisher = RecordingPublisher()
    published = publisher.published
    bind_publisher(session_factory, publisher)
    ids = _setup(session_factory)
    with pytest.raises(RuntimeError), unit_of_work(session_factory) as s:
        service.open_handoff(
            session=s, conversation_id=ids["conv"], reason="fallback", priority="urgent"
        )
        assert published == []
        raise RuntimeError("rolled back")
    assert published == []
    hid = _open(session_factory, ids["conv"], priority="urgent")
    assert published == [
        (
            "handoffs",
            {
                "type": "opened",
                "handoff_id": hid,
                "conversation_id": ids["conv"],
                "priority": "urgent",
                "reason": "request_human",
            },
        )
    ]


async def test_events_from_worker_threads_reach_subscribers_on_the_loop(
    session_factory: sessionmaker,
) -> None:
    import anyio

    bus = InProcessBus()
    bind_publisher(session_factory, bus)
    ids = _setup(session_factory)
    with bus.subscribe("handoffs") as subscription:
        hid = await anyio.to_thread.run_sync(lambda: _open(session_factory, ids["conv"]))
        topic, event = await subscription.get(timeout=5)
    assert topic == "handoffs" and event["type"] == "opened" and event["handoff_id"] == hid
