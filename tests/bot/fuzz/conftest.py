"""A whole gateway (web chat, REST API, handoff API, console) on loopback, its storage watched.

Rasa is unreachable (the discard port): these tests are about what the routes
accept and refuse, and a message Rasa cannot answer still takes the whole
storage path (stored, "having trouble" reply, kept for retry).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.console import security
from bot.db.session import make_engine, make_session_factory, unit_of_work
from bot.events.memory import InProcessBus
from bot.gateway import conversations as store
from bot.gateway.apikeys import create_api_key, revoke_api_key
from bot.gateway.app import create_app
from bot.handoff import service
from tests.bot.fuzz.support import WatchedGateway, serve_watched
from tests.support.fixtures import SECRETS, make_settings
from tests.support.handoff import make_clinician, make_conversation


@dataclass(frozen=True)
class Seeded:
    """Rows the fuzzers may hit on purpose, and credentials, valid and revoked."""

    api_key: str
    revoked_key: str
    clinician_id: int
    console_cookie: str
    rest_external_id: str
    rest_conversation_id: str
    offer_message_id: int
    handoff_id: str
    senders: tuple[str, ...]  # Rasa sender ids: one with an open handoff, one without


def seed(database_url: str) -> Seeded:
    engine = make_engine(database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            key = create_api_key(session=session, name="fuzz").key
            revoked = create_api_key(session=session, name="fuzz revoked")
            revoke_api_key(session=session, key_id=revoked.id)
            clinician = make_clinician(session, "fuzzer")
            rest, _created = store.get_or_create_conversation(
                session=session, channel="rest", external_id="fuzz-patient"
            )
            offer = store.add_message(
                session=session,
                conversation=rest,
                sender="bot",
                text="Which one?",
                status="sent",
                buttons=[{"title": "Opening hours", "payload": "/opening_hours"}],
            )
            with_handoff = make_conversation(session)
            without_handoff = make_conversation(session)
            handoff = service.open_handoff(
                session=session,
                conversation_id=with_handoff.id,
                reason="request_human",
                priority="routine",
            )
            return Seeded(
                api_key=key,
                revoked_key=revoked.key,
                clinician_id=clinician.id,
                console_cookie=security.issue_session(SECRETS["session_secret"], clinician.id),
                rest_external_id=rest.external_id,
                rest_conversation_id=rest.id,
                offer_message_id=offer.id,
                handoff_id=handoff.id,
                senders=(f"{with_handoff.id}-0", f"{without_handoff.id}-0"),
            )
    finally:
        engine.dispose()


@pytest.fixture
def gateway(database_url: str) -> Iterator[WatchedGateway]:
    # No retry pass during a run: rows change only through the requests being watched.
    app = create_app(
        make_settings(database_url), bus=InProcessBus(), detector=None, retry_interval_s=3600
    )
    served = serve_watched(app, database_url)
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def seeded(database_url: str, gateway: WatchedGateway) -> Seeded:
    return seed(database_url)
