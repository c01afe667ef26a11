"""A send that a stop or a crash left unfinished goes on when the gateway starts again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from bot.bulletins import outbox
from bot.bulletins.models import Subscription
from bot.content.bulletins import load_bulletins
from bot.db.session import make_engine, make_session_factory, unit_of_work
from tests.support.content import bulletin_yaml
from tests.support.fixtures import CLOSED_PORT_URL, make_settings
from tests.support.servers import wait_until
from tests.support.telegram_faults import FaultyTelegramApi

CHATS = range(700_001, 700_011)


def test_the_gateway_resumes_an_unfinished_send_at_start_up(
    database_url: str, serve_gateway: Callable[..., tuple[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "content" / "bulletin"
    folder.mkdir(parents=True)
    (folder / "flu.yml").write_text(bulletin_yaml("flu", expires="expires: 2099-01-01"))
    monkeypatch.setattr("bot.bulletins.dispatch.CONTENT_DIR", tmp_path / "content")
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        session.execute(insert(Subscription), [
            {"channel": "telegram", "external_id": str(c), "topic": "flu_season", "consent_text": "I agree.",
             "consented_at": datetime(2026, 12, 1)} for c in CHATS
        ])
        send_id = outbox.queue_send(session=session, bulletin=load_bulletins(tmp_path / "content")[0][0],
                                    topics=["flu_season"], channels=["telegram"], created_by=None,
                                    now=datetime(2026, 12, 4)).id
        # The previous process had claimed two rows when it stopped.
        claimed = outbox.claim(session=session, send=session.get(outbox.BulletinSend, send_id), channel="telegram",
                               now=datetime(2026, 12, 4), limit=2)
    assert len(claimed) == 2
    api = FaultyTelegramApi()
    api.start()
    try:
        serve_gateway(make_settings(database_url, CLOSED_PORT_URL, telegram_bot_token=api.token,
                                    telegram_api_base_url=api.base_url))

        def done() -> dict[str, int] | None:
            with unit_of_work(factory) as session:
                counts = outbox.progress(session=session, send_id=send_id)
            return counts if counts["queued"] == counts["sending"] == 0 else None

        counts = wait_until(done, 20, message="the send was not resumed")
    finally:
        api.stop()
        engine.dispose()
    assert counts == {"queued": 0, "sending": 0, "sent": 8, "failed": 2, "unsubscribed": 0}
    assert sorted(api.delivered) == sorted(int(c) for c in CHATS if str(c) not in {r.external_id for r in claimed})
