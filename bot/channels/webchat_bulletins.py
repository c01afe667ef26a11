"""The web chat's "Health tips": choose bulletin topics, and see new bulletins when the widget opens.

A browser cannot be pushed to while the widget is closed, so a bulletin sent to
web chat subscribers waits in the outbox (`queued`) and is shown, once, the
next time the widget opens (GET .../unseen marks it sent and seen). Topics are
chosen with the same consent, stored word for word, as on Telegram. Identity
is the session token, as for every web chat route.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Security

from bot.apidoc import JsonSchema, OutModel, errors, json_body
from bot.bulletins.outbox import take_unseen
from bot.bulletins.sender import bulletin_text
from bot.bulletins.subscriptions import (
    HOW_TO_STOP,
    clinic_name,
    consent_wording,
    subscribe,
    topics_of,
    unsubscribe,
)
from bot.channels.webchat import CHANNEL, _router, _session_header, external_id_for
from bot.content.bulletins import TOPICS, load_bulletins, render_bulletin
from bot.content.profile import text_fields
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.gateway.validation import InputError, parse_json_object, refuse_unknown_fields
from bot.paths import CLINIC_FILE, CONTENT_DIR

router = APIRouter(prefix="/webchat/api/bulletins", tags=["web chat"])

TOPIC_BODY: JsonSchema = {
    "title": "HealthTipsTopic",
    "type": "object",
    "properties": {
        "topic": {"type": "string", "enum": list(TOPICS), "description": "The bulletin topic."},
        "subscribed": {"type": "boolean", "description": "true: consent to it; false: stop it."},
    },
    "required": ["topic", "subscribed"],
    "additionalProperties": False,
}
_REFUSALS = {
    400: "Body not UTF-8, not JSON, or empty.",
    401: "Missing or malformed session token.",
    413: "Body over the length limit.",
    422: "Well-formed JSON with a missing, unknown or invalid field.",
}


def _errors(*statuses: int) -> dict[int | str, Any]:
    return errors({status: _REFUSALS[status] for status in statuses})


class TopicOut(OutModel):
    id: str
    title: str
    subscribed: bool


class TopicsOut(OutModel):
    prompt: str
    topics: list[TopicOut]


class BulletinOut(OutModel):
    id: str
    text: str


class UnseenOut(OutModel):
    bulletins: list[BulletinOut]


def prompt() -> str:
    return (
        f"Health tips: by turning a topic on you agree that {clinic_name()} sends you health bulletins "
        f"about it in this chat, reviewed by its clinicians. They appear when you next open the chat. "
        f"{HOW_TO_STOP[CHANNEL]}"
    )


async def _topics(request: Request, external_id: str) -> dict[str, Any]:
    router_ = _router(request)

    def load() -> list[str]:
        with unit_of_work(router_.session_factory) as session:
            return topics_of(session=session, channel=CHANNEL, external_id=external_id)

    mine = await router_.run_db(load)
    return {
        "prompt": prompt(),
        "topics": [{"id": t, "title": name, "subscribed": t in mine} for t, name in TOPICS.items()],
    }


@router.get(
    "/topics", response_model=TopicsOut, responses=_errors(401), summary="Health tips: the topics and which are on"
)
async def get_topics(request: Request, x_patientbot_session: str | None = Security(_session_header)) -> dict[str, Any]:
    return await _topics(request, external_id_for(x_patientbot_session))


@router.post(
    "/topics",
    response_model=TopicsOut,
    responses=_errors(400, 401, 413, 422),
    summary="Health tips: turn a topic on (consent) or off",
    openapi_extra=json_body(TOPIC_BODY),
)
async def set_topic(request: Request, x_patientbot_session: str | None = Security(_session_header)) -> dict[str, Any]:
    external_id = external_id_for(x_patientbot_session)
    data = parse_json_object(await request.body())
    refuse_unknown_fields(data, ("topic", "subscribed"))
    topic, on = data.get("topic"), data.get("subscribed")
    if not isinstance(topic, str) or topic not in TOPICS or not isinstance(on, bool):
        raise InputError(422, "Send a known 'topic' and 'subscribed': true or false.")
    wording = consent_wording(topic=topic, channel=CHANNEL, clinic_name=clinic_name())
    router_ = _router(request)

    def change() -> None:
        with unit_of_work(router_.session_factory) as session:
            if on:
                subscribe(session=session, channel=CHANNEL, external_id=external_id, topic=topic, wording=wording,
                          now=utcnow())
            else:
                unsubscribe(session=session, channel=CHANNEL, external_id=external_id, topic=topic)

    await router_.run_db(change)
    return await _topics(request, external_id)


@router.get(
    "/unseen", response_model=UnseenOut, responses=_errors(401), summary="Bulletins sent since the widget was last open"
)
async def unseen(request: Request, x_patientbot_session: str | None = Security(_session_header)) -> dict[str, Any]:
    external_id = external_id_for(x_patientbot_session)
    bulletins, _defects = load_bulletins(CONTENT_DIR)
    today = date.today()
    sendable = {b.id: b for b in bulletins if b.why_not_sendable(today) is None}
    router_ = _router(request)

    def take() -> list[str]:
        with unit_of_work(router_.session_factory) as session:
            return take_unseen(session=session, channel=CHANNEL, external_id=external_id, sendable=set(sendable),
                               now=utcnow())

    clinic = text_fields(CLINIC_FILE)
    shown = await router_.run_db(take)
    return {
        "bulletins": [
            {"id": b, "text": bulletin_text(render_bulletin(sendable[b], clinic), CHANNEL)} for b in shown
        ]
    }
