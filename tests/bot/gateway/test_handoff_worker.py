"""The handoff sweep as the gateway runs it: the patient is told, the bot answers again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import sessionmaker

from bot.db.base import utcnow
from bot.db.models import Conversation
from bot.db.session import unit_of_work
from bot.gateway.handoff_worker import HandoffWorker
from bot.handoff import service
from bot.handoff.models import Handoff
from bot.settings import get_settings
from tests.support.handoff import make_conversation


class RecordingDeliver:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def __call__(
        self, conversation_id: str, text: str, *, buttons: Any = None, sender: str = "clinician"
    ) -> int:
        self.sent.append({"conversation_id": conversation_id, "text": text, "sender": sender})
        return len(self.sent)


def _open(factory: sessionmaker, opened_at: Any) -> tuple[str, str]:
    with unit_of_work(factory) as s:
        conv = make_conversation(s).id
        hid = service.open_handoff(
            session=s, conversation_id=conv, reason="personal_advice", priority="routine", now=opened_at
        ).id
        return conv, hid


async def test_the_sweep_tells_the_patient_and_hands_back_to_the_bot(
    test_env: dict[str, str], session_factory: sessionmaker
) -> None:
    now = utcnow()
    fresh_conv, _fresh = _open(session_factory, now - timedelta(minutes=1))
    old_conv, old = _open(session_factory, now - timedelta(minutes=45))  # past both limits (5 and 30 min)
    deliver = RecordingDeliver()
    worker = HandoffWorker(
        settings=get_settings(), session_factory=session_factory, deliver=deliver, clock=lambda: now
    )

    result = await worker.sweep_once()

    assert result.alerted == [old] and result.timed_out == [(old, old_conv)]
    assert [(m["conversation_id"], m["sender"]) for m in deliver.sent] == [(old_conv, "system")]
    assert "emergency" in deliver.sent[0]["text"].lower()  # what to do next includes emergency advice
    with unit_of_work(session_factory) as s:
        assert s.get(Conversation, old_conv).owner == "bot"
        assert s.get(Conversation, fresh_conv).owner == "clinician"
        assert s.get(Handoff, old).status == "waiting"
    assert (await worker.sweep_once()).timed_out == []  # told once
    assert len(deliver.sent) == 1
