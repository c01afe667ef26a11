"""The web chat's Health tips over HTTP: topics with consent, unseen bulletins shown once, erasure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.bulletins import outbox
from bot.bulletins.subscriptions import clinic_name, consent_wording, subscriptions_of
from bot.content.bulletins import load_bulletins
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.gateway.conversations import hash_token
from tests.support.content import bulletin_yaml
from tests.support.fixtures import CLOSED_PORT_URL, make_settings


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "content" / "bulletin"
    folder.mkdir(parents=True)
    (folder / "flu.yml").write_text(bulletin_yaml("flu", expires="expires: 2099-01-01"))
    monkeypatch.setattr("bot.channels.webchat_bulletins.CONTENT_DIR", tmp_path / "content")
    return tmp_path / "content"


def open_chat(database_url: str, serve_gateway: Callable[..., tuple[str, Any]]) -> tuple[httpx.Client, Any]:
    """A web chat session on a fresh gateway: its HTTP client and the gateway's session factory."""
    base, app = serve_gateway(make_settings(database_url, CLOSED_PORT_URL))
    token = httpx.post(f"{base}/webchat/api/session").json()["token"]
    client = httpx.Client(base_url=base, headers={"X-PatientBot-Session": token}, timeout=10)
    return client, app.state.gateway.session_factory


def test_health_tips_consent_unseen_once_and_erasure(
    database_url: str, serve_gateway: Callable[..., tuple[str, Any]], content: Path
) -> None:
    client, factory = open_chat(database_url, serve_gateway)
    token = client.headers["X-PatientBot-Session"]

    tips = client.get("/webchat/api/bulletins/topics").json()
    assert "you agree that Riverside Family Clinic sends you health bulletins" in tips["prompt"]
    assert [(t["id"], t["subscribed"]) for t in tips["topics"]][:2] == [("flu_season", False), ("covid19", False)]
    on = client.post("/webchat/api/bulletins/topics", json={"topic": "flu_season", "subscribed": True}).json()
    assert [t["id"] for t in on["topics"] if t["subscribed"]] == ["flu_season"]
    assert client.post("/webchat/api/bulletins/topics", json={"topic": "nope", "subscribed": True}).status_code == 422
    assert httpx.get(f"{client.base_url}/webchat/api/bulletins/topics").status_code == 401
    with unit_of_work(factory) as session:
        [row] = subscriptions_of(session=session, channel="webchat", external_id=hash_token(token))
        assert row.consent_text == consent_wording(topic="flu_season", channel="webchat", clinic_name=clinic_name())
        send = outbox.queue_send(session=session, bulletin=load_bulletins(content)[0][0], topics=["flu_season"],
                                 channels=["webchat"], created_by=None, now=utcnow())
        send_id = send.id

    # The widget opens: the bulletin is shown once, ending with how to stop.
    [shown] = client.get("/webchat/api/bulletins/unseen").json()["bulletins"]
    assert shown["id"] == "flu" and shown["text"].startswith("Flu shots are here")
    assert shown["text"].endswith('choose "Health tips" in the chat menu and turn the topic off.')
    assert client.get("/webchat/api/bulletins/unseen").json() == {"bulletins": []}
    with unit_of_work(factory) as session:
        assert outbox.progress(session=session, send_id=send_id)["sent"] == 1

    # Erasure withdraws consent.
    assert client.delete("/webchat/api/conversation").status_code == 200
    assert not any(t["subscribed"] for t in client.get("/webchat/api/bulletins/topics").json()["topics"])


def test_an_opt_out_before_the_widget_opens_wins(
    database_url: str, serve_gateway: Callable[..., tuple[str, Any]], content: Path
) -> None:
    client, factory = open_chat(database_url, serve_gateway)
    client.post("/webchat/api/bulletins/topics", json={"topic": "flu_season", "subscribed": True})
    with unit_of_work(factory) as session:
        send_id = outbox.queue_send(session=session, bulletin=load_bulletins(content)[0][0], topics=["flu_season"],
                                    channels=["webchat"], created_by=None, now=utcnow()).id
    client.post("/webchat/api/bulletins/topics", json={"topic": "flu_season", "subscribed": False})
    assert client.get("/webchat/api/bulletins/unseen").json() == {"bulletins": []}
    with unit_of_work(factory) as session:
        assert outbox.progress(session=session, send_id=send_id)["unsubscribed"] == 1
