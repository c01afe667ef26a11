"""Twenty clinicians claiming at once never get the same handoff (real threads, real sessions)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.db.session import unit_of_work
from bot.handoff import service
from bot.handoff.errors import AlreadyClaimed, HandoffError, QueueEmpty
from bot.handoff.models import AuditEvent, Clinician, Handoff
from tests.support.handoff import make_clinician, make_conversation

CLINICIANS = 20


def _clinicians(factory: sessionmaker) -> list[int]:
    with unit_of_work(factory) as s:
        first = make_clinician(s, "doc00")
        ids = [first.id]
        # The others share the first one's hash: argon2 is deliberately slow, and this
        # test is about claiming, not logging in.
        for n in range(1, CLINICIANS):
            other = Clinician(
                username=f"doc{n:02d}",
                display_name=f"Doc {n}",
                password_hash=first.password_hash,
                on_duty=True,
            )
            s.add(other)
            s.flush()
            ids.append(other.id)
        return ids


def _race(factory: sessionmaker, clinician_ids: list[int], claim) -> list[object]:  # type: ignore[no-untyped-def]
    """Start every claim at the same instant, each in its own thread, session and transaction."""
    barrier = threading.Barrier(len(clinician_ids))

    def attempt(clinician_id: int) -> object:
        barrier.wait(timeout=30)
        try:
            with unit_of_work(factory) as session:
                return claim(session, clinician_id).id
        except HandoffError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(clinician_ids)) as pool:
        return list(pool.map(attempt, clinician_ids))


def test_twenty_clinicians_claiming_one_handoff_one_wins(session_factory: sessionmaker) -> None:
    clinicians = _clinicians(session_factory)
    with unit_of_work(session_factory) as s:
        conv = make_conversation(s)
        hid = service.open_handoff(
            session=s, conversation_id=conv.id, reason="request_human", priority="urgent"
        ).id

    results = _race(
        session_factory,
        clinicians,
        lambda s, cid: service.claim(session=s, handoff_id=hid, clinician_id=cid),
    )

    winners = [r for r in results if r == hid]
    losers = [r for r in results if isinstance(r, AlreadyClaimed)]
    assert len(winners) == 1 and len(losers) == CLINICIANS - 1, results
    with unit_of_work(session_factory) as s:
        handoff = s.get(Handoff, hid)
        assert handoff.status == "claimed"
        assert handoff.claimed_by == clinicians[results.index(hid)]
        claims = s.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "handoff.claimed")
        )
        assert claims == 1


def test_twenty_clinicians_claiming_next_never_share_a_handoff(
    session_factory: sessionmaker,
) -> None:
    clinicians = _clinicians(session_factory)
    waiting = 12
    with unit_of_work(session_factory) as s:
        handoff_ids = set()
        for n in range(waiting):
            conv = make_conversation(s)
            priority = ("emergency", "urgent", "routine")[n % 3]
            handoff_ids.add(
                service.open_handoff(
                    session=s, conversation_id=conv.id, reason="fallback", priority=priority
                ).id
            )

    results = _race(
        session_factory,
        clinicians,
        lambda s, cid: service.claim_next(session=s, clinician_id=cid),
    )

    claimed = [r for r in results if isinstance(r, str)]
    empty = [r for r in results if isinstance(r, QueueEmpty)]
    assert len(claimed) == waiting and len(empty) == CLINICIANS - waiting, results
    assert Counter(claimed).most_common(1)[0][1] == 1  # nobody got the same handoff
    assert set(claimed) == handoff_ids
    with unit_of_work(session_factory) as s:
        rows = s.execute(select(Handoff.id, Handoff.claimed_by, Handoff.status)).all()
        assert {r.status for r in rows} == {"claimed"}
        owner_by_handoff = {r.id: r.claimed_by for r in rows}
        for clinician_id, result in zip(clinicians, results):
            if isinstance(result, str):
                assert owner_by_handoff[result] == clinician_id
        assert len(set(owner_by_handoff.values())) == waiting
