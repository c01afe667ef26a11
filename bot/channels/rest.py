"""REST API for integrations (documented at /docs), authenticated with admin-issued API keys.

The request body is read and checked by us, not by FastAPI's model parsing, so
that every bad input (not UTF-8, not JSON, empty, oversized) gets one clear
sentence instead of a validation dump, and a missing key is refused before the
body is read; bot.channels.bodies documents the body in OpenAPI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NoReturn

import anyio
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field
from sqlalchemy.orm import Session

from bot.apidoc import OutModel, errors, json_body
from bot.channels.bodies import MAX_EXTERNAL_ID_CHARS, REST_MESSAGE
from bot.db.session import unit_of_work
from bot.gateway import conversations as store
from bot.gateway.apikeys import ApiKeyRefused, verify_api_key
from bot.gateway.deps import get_gateway
from bot.gateway.messages import Incoming, StoredMessage
from bot.gateway.validation import (
    MAX_ID,
    InputError,
    is_clean_id,
    parse_button,
    parse_json_object,
    refuse_unknown_fields,
)

router = APIRouter(prefix="/api/v1", tags=["integrations"])

_api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="An API key from `patientbot apikey create NAME`.",
)
_bearer = HTTPBearer(auto_error=False, description="The same API key as a bearer token.")

REST_CHANNELS = ("rest", "telegram")


class MessageOut(OutModel):
    id: int
    sender: Literal["patient", "bot", "clinician", "system"]
    text: str
    buttons: list[dict[str, Any]]
    status: str
    created_at: str


class PostMessageOut(OutModel):
    conversation_id: str
    outcome: Literal["bot", "clinician", "failed"] = Field(
        ...,
        description="Where the message went: answered by the bot, handed to a clinician, or failed (kept for retry).",
    )
    message: MessageOut
    replies: list[MessageOut]


class ConversationMessagesOut(OutModel):
    conversation_id: str
    channel: str
    owner: Literal["bot", "clinician"]
    messages: list[MessageOut]


def _out(message: StoredMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "sender": message.sender,
        "text": message.text,
        "buttons": [
            {"title": b.get("title", ""), "payload": b.get("payload", ""), "index": i}
            for i, b in enumerate(message.buttons)
        ],
        "status": message.status,
        "created_at": message.created_at,
    }


def presented_key(
    api_key: str | None = Security(_api_key_header),
    bearer: HTTPAuthorizationCredentials | None = Security(_bearer),
) -> str:
    """The API key the caller sent (header or bearer token); 401 at once when there is none.

    Only presence is checked here. The key itself is verified in the same database
    transaction as the request's own work (one thread hop instead of two per message).
    """
    key = api_key or (bearer.credentials if bearer else None)
    if not key:
        _refuse(ApiKeyRefused("Missing API key: send it in the X-API-Key header."))
    return str(key)


def _refuse(exc: ApiKeyRefused) -> NoReturn:
    raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None


def _key_check(key: str) -> Callable[[Session], None]:
    """Verification to run inside a unit of work (ApiKeyRefused if the key is not valid)."""

    def check(session: Session) -> None:
        verify_api_key(session=session, key=key)

    return check


async def _verify_alone(request: Request, key: str) -> None:
    """Verify the key in a transaction of its own: before any complaint about the input, 401 wins."""
    gateway = get_gateway(request.app)
    check = _key_check(key)

    def run() -> None:
        with unit_of_work(gateway.session_factory) as session:
            check(session)

    try:
        if gateway.router is not None:
            await gateway.router.run_db(run)
        else:
            await anyio.to_thread.run_sync(run)
    except ApiKeyRefused as exc:
        _refuse(exc)


_ERRORS = errors(
    {
        400: "Body not UTF-8, not JSON, or empty.",
        401: "Missing, wrong or revoked API key.",
        404: "Unknown conversation or button.",
        413: "Message or body over the length limit.",
        422: "Well-formed JSON with a missing or invalid field.",
    }
)


@router.post(
    "/messages",
    response_model=PostMessageOut,
    responses=_ERRORS,
    summary="Post a message as a patient",
    openapi_extra=json_body(REST_MESSAGE),
)
async def post_message(request: Request, key: str = Depends(presented_key)) -> JSONResponse:
    """Store the message, route it (Rasa or the clinician in charge) and return what was said back."""
    try:
        incoming = _incoming_of(await request.body())
        result = await get_gateway(request.app).require_router().handle_incoming(
            incoming, authorize=_key_check(key)
        )
    except ApiKeyRefused as exc:
        _refuse(exc)
    except InputError:
        await _verify_alone(request, key)
        raise
    # Built here rather than validated again against the response model (documented above).
    return JSONResponse(
        {
            "conversation_id": result.conversation_id,
            "outcome": result.outcome,
            "message": _out(result.patient_message),
            "replies": [_out(m) for m in result.replies],
        }
    )


def _incoming_of(body: bytes) -> Incoming:
    """The patient action in a POST /messages body; InputError (4xx) says what is wrong."""
    data = parse_json_object(body)
    refuse_unknown_fields(data, ("channel", "external_id", "text", "button"))
    channel = data.get("channel", "rest")
    if channel not in REST_CHANNELS:
        raise InputError(
            422,
            f"'channel' must be one of {', '.join(REST_CHANNELS)} (web chat is reachable only from the widget).",
        )
    external_id = data.get("external_id")
    if not is_clean_id(external_id, MAX_EXTERNAL_ID_CHARS):
        raise InputError(
            422, "'external_id' must be a string of 1 to 128 characters, none of them control characters."
        )
    button, text = data.get("button"), data.get("text")
    if button is not None and text is not None:
        raise InputError(422, "Send 'text' or 'button', not both.")
    if button is not None:
        return Incoming(channel, external_id.strip(), button=parse_button(button))
    if "text" in data:
        if not isinstance(text, str):
            raise InputError(422, "'text' must be a string.")
        return Incoming(channel, external_id.strip(), text=text)
    raise InputError(422, "Send 'text' (what the patient typed) or 'button'.")


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=ConversationMessagesOut,
    responses={k: v for k, v in _ERRORS.items() if k in (401, 404)},
    summary="Read a conversation's messages",
)
async def get_messages(
    request: Request,
    conversation_id: str = Path(..., max_length=64),
    after: int = Query(
        0, ge=0, le=MAX_ID, description="Only messages with an id above this (for polling)."
    ),
    limit: int = Query(200, ge=1, le=1000),
    key: str = Depends(presented_key),
) -> dict[str, Any]:
    factory = get_gateway(request.app).session_factory
    check = _key_check(key)

    def load() -> dict[str, Any] | None:
        with unit_of_work(factory) as session:
            check(session)
            if not is_clean_id(conversation_id, 64):
                return None  # no conversation has such an id (and PostgreSQL refuses NUL)
            conversation = store.get_conversation(session=session, conversation_id=conversation_id)
            if conversation is None:
                return None
            rows = store.list_messages(
                session=session, conversation_id=conversation_id, after_id=after, limit=limit
            )
            return {
                "conversation_id": conversation.id,
                "channel": conversation.channel,
                "owner": conversation.owner,
                "messages": [_out(StoredMessage.of(row)) for row in rows],
            }

    try:
        found = await anyio.to_thread.run_sync(load)
    except ApiKeyRefused as exc:
        _refuse(exc)
    if found is None:
        raise HTTPException(404, "No conversation with that id.")
    return found
