"""/subscribe, /unsubscribe and /topics through python-telegram-bot against the Bot API stand-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.bulletins.subscriptions import clinic_name, consent_wording, subscriptions_of
from bot.channels.telegram_subscriptions import parse_topic_button
from bot.db.session import unit_of_work
from tests.bot.channels.test_telegram import telegram_api, telegram_settings  # noqa: F401 - fixture
from tests.support.fixtures import CLOSED_PORT_URL
from tests.support.telegram_api import TelegramApiStandIn

CHAT = 5151


def stored(app: Any) -> list[tuple[str, str]]:
    with unit_of_work(app.state.gateway.session_factory) as session:
        rows = subscriptions_of(session=session, channel="telegram", external_id=str(CHAT))
        return sorted((s.topic, s.consent_text) for s in rows)


def buttons(api: TelegramApiStandIn) -> list[tuple[str, str]]:
    keyboard = api.calls_to("sendMessage")[-1].params["reply_markup"]["inline_keyboard"]
    return [(row[0]["text"], row[0]["callback_data"]) for row in keyboard]


def test_parse_topic_button() -> None:
    assert parse_topic_button("t:+:flu_season") == (True, "flu_season")
    assert parse_topic_button("t:-:*") == (False, "*")
    assert parse_topic_button("t:+:*") is None
    assert parse_topic_button("t:+:nope") is None
    assert parse_topic_button("b:1:2") is None


def test_subscribe_topics_unsubscribe_and_erasure(
    database_url: str, telegram_api: TelegramApiStandIn, serve_gateway: Callable[..., tuple[str, Any]]  # noqa: F811
) -> None:
    api = telegram_api
    _base, app = serve_gateway(telegram_settings(database_url, CLOSED_PORT_URL, api))
    api.wait_for("setMyCommands")

    api.queue_update(api.text_update(CHAT, "/topics"))
    api.wait_for("sendMessage", 1)
    assert api.sent_texts(CHAT)[-1] == "You get no bulletins. Send /subscribe to choose topics."

    api.queue_update(api.text_update(CHAT, "/subscribe"))
    api.wait_for("sendMessage", 2)
    prompt = api.sent_texts(CHAT)[-1]
    assert "By pressing a topic you agree that" in prompt and "/unsubscribe" in prompt
    assert buttons(api) == [
        ("Flu season", "t:+:flu_season"),
        ("COVID-19", "t:+:covid19"),
        ("Children's health", "t:+:childrens_health"),
        ("Clinic news", "t:+:clinic_news"),
    ]
    api.queue_update(api.callback_update(CHAT, "t:+:flu_season"))
    api.wait_for("sendMessage", 3)
    assert api.sent_texts(CHAT)[-1] == "Subscribed to Flu season. To stop these bulletins, send /unsubscribe."
    api.queue_update(api.callback_update(CHAT, "t:+:covid19"))
    api.wait_for("sendMessage", 4)
    # Consent is kept word for word, with its time.
    wording = consent_wording(topic="flu_season", channel="telegram", clinic_name=clinic_name())
    assert stored(app) == [
        ("covid19", consent_wording(topic="covid19", channel="telegram", clinic_name=clinic_name())),
        ("flu_season", wording),
    ]
    assert "Riverside Family Clinic" in wording and "/unsubscribe" in wording
    assert len(api.calls_to("answerCallbackQuery")) == 2

    # /subscribe offers only what is not taken yet; /topics lists what is.
    api.queue_update(api.text_update(CHAT, "/subscribe"))
    api.wait_for("sendMessage", 5)
    assert [b[1] for b in buttons(api)] == ["t:+:childrens_health", "t:+:clinic_news"]
    api.queue_update(api.text_update(CHAT, "/topics"))
    api.wait_for("sendMessage", 6)
    assert api.sent_texts(CHAT)[-1].startswith("You get bulletins about: COVID-19, Flu season.")

    api.queue_update(api.text_update(CHAT, "/unsubscribe"))
    api.wait_for("sendMessage", 7)
    assert buttons(api) == [("COVID-19", "t:-:covid19"), ("Flu season", "t:-:flu_season"), ("All topics", "t:-:*")]
    api.queue_update(api.callback_update(CHAT, "t:-:covid19"))
    api.wait_for("sendMessage", 8)
    assert [topic for topic, _ in stored(app)] == ["flu_season"]

    # /delete erases the patient's data, bulletin consent included, even with no conversation stored.
    api.queue_update(api.text_update(CHAT, "/delete"))
    api.wait_for("sendMessage", 9)
    assert stored(app) == []
    api.queue_update(api.text_update(CHAT, "/unsubscribe"))
    api.wait_for("sendMessage", 10)
    assert api.sent_texts(CHAT)[-1] == "You are not subscribed to any bulletins. /subscribe to start."
