"""python-telegram-bot itself against our Bot API stand-in, in polling and in webhook mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram import CHUNK_LIMIT, NON_TEXT_REPLY, split_message, utf16_len
from bot.gateway.texts import system_text
from tests.support.fixtures import CLOSED_PORT_URL, make_settings
from tests.support.questions import OFFERED_TITLE, UNSURE_QUESTION
from tests.support.servers import free_port, wait_until
from tests.support.telegram_api import TelegramApiStandIn

CHAT = 4242


@pytest.fixture
def telegram_api() -> Iterator[TelegramApiStandIn]:
    api = TelegramApiStandIn()
    api.start()
    yield api
    api.stop()


def telegram_settings(
    database_url: str, rasa_url: str, api: TelegramApiStandIn, **extra: Any
) -> Any:
    return make_settings(
        database_url,
        rasa_url,
        telegram_bot_token=api.token,
        telegram_api_base_url=api.base_url,
        **extra,
    )


def texts_to(api: TelegramApiStandIn, chat: int = CHAT) -> list[str]:
    return api.sent_texts(chat)


def history(app: Any, chat: int = CHAT) -> list[Any]:
    gateway = app.state.gateway
    return gateway.run_in_loop(gateway.require_router().history("telegram", str(chat))).result(10)


def test_polling_mode_whole_conversation(
    database_url: str,
    mini_rasa_url: str,
    telegram_api: TelegramApiStandIn,
    serve_gateway: Callable[..., tuple[str, Any]],
) -> None:
    _base, app = serve_gateway(telegram_settings(database_url, mini_rasa_url, telegram_api))
    api = telegram_api

    # Start-up: the command menu is registered and polling replaced any webhook.
    commands = api.wait_for("setMyCommands")[0].params["commands"]
    assert [c["command"] for c in commands] == [
        "start", "help", "doctor", "cancel", "delete", "subscribe", "unsubscribe", "topics"
    ]
    assert all(c["description"] for c in commands)
    api.wait_for("deleteWebhook")

    api.queue_update(api.text_update(CHAT, "/start"))
    api.wait_for("sendMessage", 2)
    assert texts_to(api) == [
        system_text("first_contact_notice"),
        "Hello! What would you like to know?",
    ]
    greeting = api.calls_to("sendMessage")[1].params
    assert greeting["parse_mode"] == "HTML"
    keyboard = greeting["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Opening hours", "What can you do?"]
    assert api.calls_to("sendChatAction")[0].params["action"] == "typing"

    api.queue_update(api.callback_update(CHAT, keyboard[0][0]["callback_data"]))
    api.wait_for("sendMessage", 3)
    assert texts_to(api)[-1] == "We are open Monday to Friday."
    assert len(api.calls_to("answerCallbackQuery")) == 1

    api.queue_update(api.text_update(CHAT, "hours"))
    api.wait_for("sendMessage", 4)
    assert texts_to(api)[-1] == "We are open Monday to Friday."
    stored = history(app)
    assert [(m.sender, m.text) for m in stored if m.sender == "patient"] == [
        ("patient", "/start"),
        ("patient", "Opening hours"),
        ("patient", "hours"),
    ]

    api.queue_update(api.text_update(CHAT, "x" * 2001))
    api.wait_for("sendMessage", 5)
    assert texts_to(api)[-1] == "The message is too long: 2001 characters; the limit is 2000."
    api.queue_update(
        {
            "message": {
                **api.text_update(CHAT, "")["message"],
                "text": None,
                "sticker": {
                    "file_id": "s1",
                    "file_unique_id": "u1",
                    "type": "regular",
                    "width": 10,
                    "height": 10,
                    "is_animated": False,
                    "is_video": False,
                },
            }
        }
    )
    api.wait_for("sendMessage", 6)
    assert texts_to(api)[-1] == NON_TEXT_REPLY
    assert len(history(app)) == len(stored)  # neither was stored

    api.queue_update(api.text_update(CHAT, "/delete"))
    api.wait_for("sendMessage", 7)
    assert texts_to(api)[-1] == system_text("conversation_deleted")
    assert history(app) == []


def test_long_replies_are_split_and_text_is_escaped(
    database_url: str,
    mini_rasa_url: str,
    telegram_api: TelegramApiStandIn,
    serve_gateway: Callable[..., tuple[str, Any]],
) -> None:
    _base, app = serve_gateway(telegram_settings(database_url, mini_rasa_url, telegram_api))
    api = telegram_api
    api.queue_update(api.text_update(CHAT, "hello"))
    api.wait_for("sendMessage", 2)
    conversation_id = history(app)[0].conversation_id
    gateway = app.state.gateway

    paragraph = "Take <b>two</b> tablets & rest. " * 40
    long_text = "\n\n".join([paragraph] * 8)  # about 10,000 characters
    gateway.run_in_loop(
        gateway.require_router().deliver(
            conversation_id, long_text, buttons=[{"title": "OK", "payload": "/ok"}]
        )
    ).result(10)
    sent = api.wait_for("sendMessage", 3, where=lambda c: "tablets" in c.params["text"])
    chunks = [c.params["text"] for c in sent]
    assert len(chunks) == 3
    assert all(
        utf16_len(c.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")) <= 4096
        for c in chunks
    )
    assert "<b>" not in "".join(chunks) and "&lt;b&gt;two&lt;/b&gt; tablets &amp; rest" in chunks[0]
    assert [bool(c.params.get("reply_markup")) for c in sent] == [False, False, True]


def test_delete_that_cannot_reach_rasas_store_says_so_and_keeps_the_conversation(
    database_url: str,
    telegram_api: TelegramApiStandIn,
    serve_gateway: Callable[..., tuple[str, Any]],
    tmp_path: Path,
) -> None:
    unreachable = f"sqlite:///{tmp_path / 'no-such-dir' / 'rasa_tracker.db'}"
    settings = telegram_settings(
        database_url, CLOSED_PORT_URL, telegram_api, rasa_tracker_db_url=unreachable
    )
    _base, app = serve_gateway(settings)
    api = telegram_api
    api.queue_update(api.text_update(CHAT, "my ear hurts"))
    api.wait_for("sendMessage", 2)  # the notice, then "I'm having trouble" (Rasa is down)
    api.queue_update(api.text_update(CHAT, "/delete"))
    api.wait_for("sendMessage", 3)
    assert texts_to(api)[-1] == system_text("conversation_delete_failed")
    assert history(app)[0].text == "my ear hurts"


def test_split_message_respects_the_limit_in_utf16_units() -> None:
    emoji_text = "🙂 " * 3000  # each emoji is two UTF-16 units
    chunks = split_message(emoji_text)
    assert all(utf16_len(c) <= CHUNK_LIMIT for c in chunks)
    assert "".join(chunks).replace(" ", "") == emoji_text.replace(" ", "")
    assert split_message("short") == ["short"]
    unbroken = "a" * 10000
    assert "".join(split_message(unbroken)) == unbroken


def test_webhook_mode_checks_the_secret_token(
    database_url: str,
    mini_rasa_url: str,
    telegram_api: TelegramApiStandIn,
    serve_gateway: Callable[..., tuple[str, Any]],
) -> None:
    port = free_port()
    settings = telegram_settings(
        database_url,
        mini_rasa_url,
        telegram_api,
        telegram_mode="webhook",
        telegram_webhook_secret="webhook-secret-0123456789",
        public_url=f"http://127.0.0.1:{port}",
    )
    _base, app = serve_gateway(settings, port=port)
    api = telegram_api
    registered = api.wait_for("setWebhook")[0].params
    assert registered["url"] == f"http://127.0.0.1:{port}/telegram/webhook"
    assert registered["secret_token"] == "webhook-secret-0123456789"
    assert api.calls_to("getUpdates") == []

    for forged in ("wrong-secret", None):
        response = api.post_to_webhook(api.text_update(CHAT, "hello"), secret=forged)
        assert response.status_code == 403
    assert history(app) == []

    response = api.post_to_webhook(api.text_update(CHAT, "hello"))
    assert response.status_code == 200
    api.wait_for("sendMessage", 2)
    assert texts_to(api) == [
        system_text("first_contact_notice"),
        "Hello! What would you like to know?",
    ]
    keyboard = api.calls_to("sendMessage")[1].params["reply_markup"]["inline_keyboard"]
    assert (
        api.post_to_webhook(api.callback_update(CHAT, keyboard[1][0]["callback_data"])).status_code
        == 200
    )
    api.wait_for("sendMessage", 3)
    assert texts_to(api)[-1] == "I answer questions about the clinic."
    wait_until(lambda: len(history(app)) == 5)


def test_doctor_goes_to_rasa_as_request_human(
    database_url: str,
    mini_rasa_url: str,
    telegram_api: TelegramApiStandIn,
    serve_gateway: Callable[..., tuple[str, Any]],
) -> None:
    _base, app = serve_gateway(telegram_settings(database_url, mini_rasa_url, telegram_api))
    api = telegram_api
    api.queue_update(api.text_update(CHAT, "/doctor"))
    api.wait_for("sendMessage", 2)
    assert texts_to(api)[-1] == "I will ask a clinician."
    patient = history(app)[0]
    assert patient.text == "/doctor"


def test_did_you_mean_is_an_inline_keyboard_and_a_press_answers(
    database_url: str,
    real_rasa_url: str,
    telegram_api: TelegramApiStandIn,
    serve_gateway: Callable[..., tuple[str, Any]],
) -> None:
    """The real model's "did you mean" on Telegram: FAQ titles as inline buttons, then the chosen answer."""
    _base, app = serve_gateway(telegram_settings(database_url, real_rasa_url, telegram_api, rasa_timeout_s=10))
    api = telegram_api
    api.queue_update(api.text_update(CHAT, UNSURE_QUESTION))
    api.wait_for("sendMessage", 2, timeout=30)
    offer = api.calls_to("sendMessage")[1].params
    assert "Did you mean" in offer["text"]
    titles = [row[0]["text"] for row in offer["reply_markup"]["inline_keyboard"]]
    assert OFFERED_TITLE in titles and titles[-1] == "None of these"
    pressed = offer["reply_markup"]["inline_keyboard"][titles.index(OFFERED_TITLE)][0]["callback_data"]
    api.queue_update(api.callback_update(CHAT, pressed))
    api.wait_for("sendMessage", 3, timeout=30)
    answer = api.calls_to("sendMessage")[2].params
    assert "Source:" in answer["text"] and "Reviewed by" in answer["text"]
    assert [row[0]["text"] for row in answer["reply_markup"]["inline_keyboard"]] == ["Helpful", "Not helpful"]
    chosen = [m for m in history(app) if m.sender == "patient"][-1]
    assert chosen.text == OFFERED_TITLE
