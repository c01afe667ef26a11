"""Web chat over a real WebSocket and its HTTP fallback: conversation, history, isolation, bad input."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from bot.gateway.conversations import hash_token
from bot.gateway.texts import system_text
from tests.support.fixtures import CLOSED_PORT_URL, make_settings


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/webchat/ws"


def new_token(base_url: str) -> str:
    token = httpx.post(f"{base_url}/webchat/api/session", timeout=10).json()["token"]
    assert len(token) == 43
    return token


async def frames_until(
    ws: Any, predicate: Callable[[dict[str, Any]], bool], timeout: float = 15
) -> list[dict[str, Any]]:
    """Read frames until one matches; returns all frames read."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen: list[dict[str, Any]] = []
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), max(deadline - loop.time(), 0.01)))
        seen.append(frame)
        if predicate(frame):
            return seen


def bot_says(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: (
        f["type"] == "message"
        and f["message"]["sender"] != "patient"
        and f["message"]["text"] == text
    )


@pytest.fixture
def chat(
    database_url: str, serve_gateway: Callable[..., tuple[str, Any]], mini_rasa_url: str
) -> tuple[str, Any]:
    return serve_gateway(make_settings(database_url, mini_rasa_url))


async def test_a_whole_conversation_over_websocket(chat: tuple[str, Any]) -> None:
    base_url, app = chat
    token = new_token(base_url)
    async with websockets.connect(ws_url(base_url)) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token, "after": 0}))
        ready = json.loads(await ws.recv())
        assert ready == {"type": "ready", "messages": []}

        await ws.send(json.dumps({"type": "message", "text": "hello"}))
        frames = await frames_until(ws, bot_says("Hello! What would you like to know?"))
        kinds = [(f["type"], f.get("message", {}).get("sender"), f.get("on")) for f in frames]
        assert kinds[0] == ("message", "patient", None)
        assert ("message", "system", None) in kinds  # first-contact notice
        assert ("typing", None, True) in kinds
        offer = frames[-1]["message"]
        assert offer["buttons"] == [
            {"title": "Opening hours", "index": 0},
            {"title": "What can you do?", "index": 1},
        ]
        assert "payload" not in json.dumps(offer)

        await ws.send(json.dumps({"type": "button", "message_id": offer["id"], "index": 0}))
        frames = await frames_until(ws, bot_says("We are open Monday to Friday."))
        assert frames[0]["message"]["text"] == "Opening hours"

        # A clinician's reply reaches the open socket without the patient asking.
        conversation_id = (
            app.state.gateway.run_in_loop(
                app.state.gateway.require_router().history("webchat", hash_token(token))
            )
            .result(10)[0]
            .conversation_id
        )
        app.state.gateway.run_in_loop(
            app.state.gateway.require_router().deliver(conversation_id, "Dr Lee here.")
        ).result(10)
        await frames_until(ws, bot_says("Dr Lee here."))

    # Reconnecting restores the history; "after" skips what the browser already has.
    async with websockets.connect(ws_url(base_url)) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        history = json.loads(await ws.recv())["messages"]
        assert [m["sender"] for m in history] == [
            "patient",
            "system",
            "bot",
            "patient",
            "bot",
            "clinician",
        ]
        await ws.send(
            json.dumps({"type": "hello", "token": token})
        )  # a stray frame is refused, not fatal
        assert json.loads(await ws.recv())["type"] == "error"
    async with websockets.connect(ws_url(base_url)) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token, "after": history[3]["id"]}))
        assert [m["sender"] for m in json.loads(await ws.recv())["messages"]] == [
            "bot",
            "clinician",
        ]


async def test_one_patient_cannot_read_another_conversation(chat: tuple[str, Any]) -> None:
    base_url, _app = chat
    mine, theirs = new_token(base_url), new_token(base_url)
    sent = httpx.post(
        f"{base_url}/webchat/api/messages",
        json={"text": "hello"},
        headers={"X-PatientBot-Session": mine},
        timeout=20,
    )
    assert sent.status_code == 200
    other = httpx.get(
        f"{base_url}/webchat/api/messages", headers={"X-PatientBot-Session": theirs}, timeout=20
    )
    assert other.json() == {"messages": []}
    # Pressing a button offered in someone else's conversation is refused.
    offer = sent.json()["messages"][-1]
    pressed = httpx.post(
        f"{base_url}/webchat/api/messages",
        json={"button": {"message_id": offer["id"], "index": 0}},
        headers={"X-PatientBot-Session": theirs},
        timeout=20,
    )
    assert pressed.status_code == 404
    for bad in (None, "short", mine + "x", "!" * 43):
        headers = {"X-PatientBot-Session": bad} if bad else {}
        response = httpx.get(f"{base_url}/webchat/api/messages", headers=headers, timeout=20)
        assert response.status_code == 401


async def test_websocket_refuses_a_bad_token(chat: tuple[str, Any]) -> None:
    base_url, _app = chat
    async with websockets.connect(ws_url(base_url)) as ws:
        await ws.send(json.dumps({"type": "hello", "token": "guessed-conversation-id"}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.code == 4401


async def test_websocket_bad_input_gets_clear_errors(
    database_url: str, serve_gateway: Callable[..., tuple[str, Any]]
) -> None:
    base_url, _app = serve_gateway(make_settings(database_url, CLOSED_PORT_URL))
    token = new_token(base_url)
    async with websockets.connect(ws_url(base_url)) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        await ws.recv()
        cases = [
            (json.dumps({"type": "message", "text": "x" * 2001}), 413, "too long"),
            (json.dumps({"type": "message", "text": "  "}), 422, "empty"),
            (json.dumps({"type": "message"}), 422, "Send 'text'"),
            ('{"type": "message", "text": "hi"', 400, "not valid JSON"),
            (b'{"type": "message", "text": "caf\xe9"}', 400, "not valid UTF-8"),
            (json.dumps({"type": "dance"}), 400, "Unknown frame type"),
            (json.dumps(["message"]), 422, "JSON object"),
        ]
        for frame, status, detail in cases:
            await ws.send(frame)
            error = json.loads(await ws.recv())
            assert (error["type"], error["status"]) == ("error", status)
            assert detail in error["detail"]
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv()) == {"type": "pong"}
    history = httpx.get(
        f"{base_url}/webchat/api/messages", headers={"X-PatientBot-Session": token}, timeout=20
    )
    assert history.json() == {"messages": []}  # nothing bad was stored


async def test_http_fallback_and_erasure(
    database_url: str, serve_gateway: Callable[..., tuple[str, Any]]
) -> None:
    base_url, _app = serve_gateway(make_settings(database_url, CLOSED_PORT_URL))
    token = new_token(base_url)
    headers = {"X-PatientBot-Session": token, "Content-Type": "application/json"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=20) as client:
        assert client.post("/webchat/api/messages", content=b'{"text": "\xff"}').status_code == 400
        assert client.post("/webchat/api/messages", content=b"{nope").status_code == 400
        assert client.post("/webchat/api/messages", json={"text": "y" * 2001}).status_code == 413
        assert client.post("/webchat/api/messages", json={"text": ""}).status_code == 422
        sent = client.post("/webchat/api/messages", json={"text": "is anyone there?"})
        assert sent.status_code == 200
        texts = [m["text"] for m in sent.json()["messages"]]
        assert texts == [
            "is anyone there?",
            system_text("first_contact_notice"),
            system_text("service_unavailable"),
        ]
        polled = client.get(
            "/webchat/api/messages", params={"after": sent.json()["messages"][0]["id"]}
        )
        assert [m["text"] for m in polled.json()["messages"]] == texts[1:]

        erased = client.delete("/webchat/api/conversation")
        assert erased.json() == {"deleted": True, "text": system_text("conversation_deleted")}
        assert client.get("/webchat/api/messages").json() == {"messages": []}


async def test_an_erasure_that_cannot_reach_rasas_store_says_so_and_keeps_everything(
    database_url: str, serve_gateway: Callable[..., tuple[str, Any]], tmp_path: Path
) -> None:
    unreachable = f"sqlite:///{tmp_path / 'no-such-dir' / 'rasa_tracker.db'}"
    base_url, _app = serve_gateway(
        make_settings(database_url, CLOSED_PORT_URL, rasa_tracker_db_url=unreachable)
    )
    token = new_token(base_url)
    headers = {"X-PatientBot-Session": token}
    with httpx.Client(base_url=base_url, headers=headers, timeout=20) as client:
        assert client.post("/webchat/api/messages", json={"text": "my ear hurts"}).status_code == 200
        refused = client.delete("/webchat/api/conversation")
        assert refused.status_code == 503
        assert refused.json()["detail"] == system_text("conversation_delete_failed")
        kept = [m["text"] for m in client.get("/webchat/api/messages").json()["messages"]]
        assert kept[0] == "my ear hurts"
    async with websockets.connect(ws_url(base_url)) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token, "after": 0}))
        assert json.loads(await ws.recv())["type"] == "ready"
        await ws.send(json.dumps({"type": "delete"}))
        error = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
        assert error == {
            "type": "error", "status": 503, "detail": system_text("conversation_delete_failed")
        }


async def test_demo_page_embeds_the_widget_with_one_script_tag(chat: tuple[str, Any]) -> None:
    base_url, _app = chat
    page = httpx.get(base_url + "/", timeout=10)
    assert '<script src="/widget.js" data-patientbot></script>' in page.text
    script = httpx.get(base_url + "/widget.js", timeout=10)
    assert script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text  # patient text is only ever set as text
    assert (
        httpx.get(base_url + "/widget.css", timeout=10)
        .headers["content-type"]
        .startswith("text/css")
    )
