"""The admins' bulletin page over real HTTP: reach, sending through the Bot API stand-in, progress, refusals."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert, select

from bot.bulletins.models import OutboxRow, Subscription
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.handoff.models import AuditEvent
from bot.settings import get_settings
from tests.bot.console.conftest import Console, csrf_of
from tests.support.content import bulletin_yaml
from tests.support.handoff import make_clinician
from tests.support.telegram_faults import FaultyTelegramApi

FLU = range(900_001, 900_006)  # five Telegram subscribers to flu_season
BLOCKED = 900_005


@pytest.fixture
def telegram(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultyTelegramApi]:
    api = FaultyTelegramApi(blocked={BLOCKED})
    api.start()
    monkeypatch.setenv("PATIENTBOT_TELEGRAM_BOT_TOKEN", api.token)
    monkeypatch.setenv("PATIENTBOT_TELEGRAM_API_BASE_URL", api.base_url)
    get_settings.cache_clear()
    yield api
    api.stop()
    get_settings.cache_clear()


@pytest.fixture
def admin(console: Console, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> httpx.Client:
    folder = tmp_path / "content" / "bulletin"
    folder.mkdir(parents=True)
    (folder / "flu.yml").write_text(bulletin_yaml("flu", expires="expires: 2099-01-01"))
    (folder / "draft_one.yml").write_text(bulletin_yaml("draft_one", status="status: draft", expires="expires: 2099-01-01"))
    (folder / "old_one.yml").write_text(bulletin_yaml("old_one", expires="expires: 2026-11-30"))
    monkeypatch.setattr("bot.bulletins.dispatch.CONTENT_DIR", tmp_path / "content")
    rows = [("telegram", str(chat), "flu_season") for chat in FLU]
    rows += [("telegram", "900100", "covid19"), ("webchat", "session-1", "flu_season")]
    with unit_of_work(console.factory) as session:
        make_clinician(session, "carol", role="admin")
        session.execute(insert(Subscription), [
            {"channel": c, "external_id": e, "topic": t, "consent_text": "I agree.", "consented_at": utcnow()}
            for c, e, t in rows
        ])
    return console.login("carol")


def _send(client: httpx.Client, bulletin: str, topics: tuple[str, ...] = ("flu_season",)) -> httpx.Response:
    token = csrf_of(client.get("/console/bulletins").text)
    return client.post(
        "/console/bulletins/send",
        data={"csrf_token": token, "bulletin": bulletin, "topic": list(topics), "channel": ["telegram"]},
    )


def test_admin_sees_the_reach_sends_and_watches_progress(console: Console, admin: httpx.Client, telegram) -> None:
    page = admin.get("/console/bulletins", params={"bulletin": "flu"})
    assert page.status_code == 200, page.text
    assert 'It will reach <strong>5</strong> subscribers.' in page.text
    assert "(not approved (status draft))" in page.text and "(expired)" in page.text
    assert 'href="/console/bulletins"' in page.text
    wider = admin.get("/console/bulletins", params={"bulletin": "flu", "topic": ["flu_season", "covid19"]})
    assert 'It will reach <strong>6</strong> subscribers.' in wider.text

    sent = _send(admin, "flu")
    assert sent.status_code == 303, sent.text
    progress_url = sent.headers["location"]
    deadline = time.monotonic() + 20
    while (counts := admin.get(progress_url + ".json").json())["queued"] + counts["sending"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert {k: counts[k] for k in ("sent", "failed", "unsubscribed")} == {"sent": 4, "failed": 0, "unsubscribed": 1}
    assert set(telegram.delivered) == set(FLU) - {BLOCKED}
    text = telegram.calls_to("sendMessage")[0].params["text"]
    assert text.startswith("Flu shots are here") and text.endswith("To stop these bulletins, send /unsubscribe.")
    page = admin.get(progress_url)
    assert '<td id="sent">4</td>' in page.text and "Refresh" not in page.headers
    # Nobody is left to reach: everyone had it (or blocked the bot and was unsubscribed).
    again = admin.get("/console/bulletins", params={"bulletin": "flu"})
    assert "It will reach <strong>0</strong> subscribers (4 already had it)." in again.text
    with unit_of_work(console.factory) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "bulletin")).all()
    assert actions == ["bulletin.sent"]


def test_a_draft_or_expired_bulletin_cannot_be_sent(console: Console, admin: httpx.Client, telegram) -> None:
    for bulletin, why in (("draft_one", "not approved"), ("old_one", "expired")):
        page = admin.get("/console/bulletins", params={"bulletin": bulletin})
        assert 'id="not-sendable"' in page.text and "/console/bulletins/send" not in page.text
        refused = _send(admin, bulletin)
        assert refused.status_code == 422 and why in refused.text
    with unit_of_work(console.factory) as session:
        assert session.execute(select(OutboxRow)).first() is None
    assert telegram.calls_to("sendMessage") == []


def test_only_admins(console: Console, admin: httpx.Client) -> None:
    alice = console.login("alice")
    assert alice.get("/console/bulletins").status_code == 403
    token = csrf_of(alice.get("/console/").text)
    refused = alice.post("/console/bulletins/send", data={"csrf_token": token, "bulletin": "flu", "topic": "flu_season",
                                                          "channel": "telegram"})
    assert refused.status_code == 403
    assert console.client().get("/console/bulletins").status_code in (303, 401)
