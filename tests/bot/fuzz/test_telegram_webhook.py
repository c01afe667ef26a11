"""Fuzzing Telegram's webhook: forged secrets, bodies that are not JSON, updates of the wrong shape.

The gateway runs in webhook mode against our Bot API stand-in (real
python-telegram-bot), with Rasa unreachable. Hypothesis draws the secret-token
header (right, missing, wrong) and the body (random bytes, random JSON, updates
with wrong types in the fields the handlers read). Whatever it draws:
never a 5xx; a wrong or missing secret is 403 and stores nothing; a body that is
no update is 400 and stores nothing; an accepted update never makes a handler fail.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram_webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.events.memory import InProcessBus
from bot.gateway.app import create_app
from tests.bot.fuzz.support import WatchedGateway, fuzz_settings, serve_watched
from tests.support.fixtures import make_settings
from tests.support.servers import free_port
from tests.support.telegram_api import TelegramApiStandIn

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SECRET = "webhook-secret-0123456789"
USER = {"id": 4242, "is_bot": False, "first_name": "Pat"}

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
_ids = st.integers(-(2**40), 2**40) | st.integers() | _json
_chat = st.fixed_dictionaries({"id": _ids, "type": st.sampled_from(["private", "group"])}) | _json
_message = (
    st.fixed_dictionaries(
        {"message_id": _ids, "date": st.integers(0, 2**31) | _json, "chat": _chat},
        optional={"text": st.text(max_size=60) | _json, "from": st.just(USER) | _json},
    )
    | _json
)
_callback = st.fixed_dictionaries(
    {"id": st.text(max_size=8), "from": st.just(USER) | _json, "chat_instance": st.just("c")},
    optional={"data": st.just("b:1:0") | st.text(max_size=20) | _json, "message": _message},
)
_update = st.fixed_dictionaries(
    {"update_id": _ids},
    optional={
        "message": _message,
        "edited_message": _message,
        "channel_post": _message,
        "callback_query": _callback,
    },
)
# A real-looking text message with odd text, chat ids and dates: the handlers' own path.
_plausible = st.fixed_dictionaries(
    {
        "update_id": st.integers(1, 2**31),
        "message": st.fixed_dictionaries(
            {
                "message_id": st.integers(1, 2**31),
                "date": st.integers(0, 2**31),
                "chat": st.fixed_dictionaries(
                    {"id": st.integers(-(2**52), 2**52), "type": st.just("private")}
                ),
                "from": st.just(USER),
                "text": st.text(max_size=200),
            }
        ),
    }
)
BODIES = (
    _update.map(lambda update: json.dumps(update).encode())
    | _plausible.map(lambda update: json.dumps(update).encode())
    | _json.map(lambda value: json.dumps(value).encode())
    | st.binary(max_size=200)
)
_header_text = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=40)
FORGED_SECRETS = (
    st.none() | st.just(SECRET + "x") | st.just(SECRET[:-1]) | _header_text.filter(lambda s: s != SECRET)
)


@dataclass
class WebhookGateway:
    served: WatchedGateway
    api: TelegramApiStandIn

    def queue_busy(self) -> bool:
        return not self.served.app.state.gateway.telegram.application.update_queue.empty()


@pytest.fixture
def webhook(database_url: str) -> Iterator[WebhookGateway]:
    api = TelegramApiStandIn()
    api.start()
    port = free_port()
    settings_ = make_settings(
        database_url,
        telegram_bot_token=api.token,
        telegram_api_base_url=api.base_url,
        telegram_mode="webhook",
        telegram_webhook_secret=SECRET,
        public_url=f"http://127.0.0.1:{port}",
    )
    app = create_app(settings_, bus=InProcessBus(), detector=None, retry_interval_s=3600)
    served = serve_watched(app, database_url, port=port)
    try:
        api.wait_for("setWebhook")
        yield WebhookGateway(served, api)
    finally:
        served.stop()
        api.stop()


def test_forged_and_malformed_updates_are_refused_and_store_nothing(
    webhook: WebhookGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="bot.channels.telegram")
    client = httpx.Client(base_url=webhook.served.url, timeout=20)
    seen: dict[str, dict[int, int]] = {"forged": {}, "signed": {}}

    def post(secret: str | None, body: bytes) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        status = client.post(WEBHOOK_PATH, content=body, headers=headers).status_code
        counts = seen["signed" if secret == SECRET else "forged"]
        counts[status] = counts.get(status, 0) + 1
        assert status < 500
        return status

    @fuzz_settings(60)
    @given(secret=FORGED_SECRETS, body=BODIES)
    def forged(secret: str | None, body: bytes) -> None:
        assert post(secret, body) == 403

    @fuzz_settings(120)
    @given(body=BODIES)
    def signed(body: bytes) -> None:
        status = post(SECRET, body)
        assert status in (200, 400)
        if status == 200:  # its handler done before the next request is watched
            webhook.served.watch.settle(webhook.queue_busy)

    try:
        forged()
        signed()
    finally:
        client.close()
    print(f"Telegram webhook fuzz, statuses: {seen}")
    assert {200, 400} <= set(seen["signed"])
    assert webhook.api.calls_to("sendMessage")  # accepted updates reached the handlers
    assert not webhook.served.watch.refused_but_stored, webhook.served.watch.refused_but_stored
    failed = [r.getMessage() for r in caplog.records if "handler failed" in r.getMessage()]
    assert not failed, failed


# Each was a 500 (python-telegram-bot's parser raised) or queued an update a handler then failed on.
MALFORMED = [
    {},
    {"update_id": "1"},
    {"update_id": 1, "message": 5},
    {"update_id": 1, "message": {}},
    {"update_id": 1, "message": {"message_id": 1, "date": "x", "chat": {"id": 1, "type": "private"}}},
    {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": [], "text": "hi"}},
    {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": "a"}, "text": "hi"}},
    {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1}, "text": 5}},
    {"update_id": 1, "message": {"message_id": 1, "date": 10**20, "chat": {"id": 1, "type": "private"}}},
    {"update_id": 1, "callback_query": {"id": "1", "data": 5}},
]


def test_known_malformed_updates_are_400(webhook: WebhookGateway) -> None:
    headers = {SECRET_HEADER: SECRET}
    with httpx.Client(base_url=webhook.served.url, timeout=20) as client:
        statuses = [client.post(WEBHOOK_PATH, json=u, headers=headers).status_code for u in MALFORMED]
    assert statuses == [400] * len(MALFORMED)
    assert not webhook.served.watch.refused_but_stored
