"""The handoff API the action server calls (contract: docs/architecture.md).

    POST /api/handoffs   open a handoff for a Rasa sender
    POST /api/feedback   record "was this answer helpful?"

Both require the header ``X-PatientBot-Secret`` (compared in constant time).
The secret is checked before the body is even read, so a caller without it
learns nothing about what the API accepts. Refusals are JSON ``{"detail": ...}``:
401 wrong secret, 404 unknown sender, 409 a handoff is already open (the body
is the open one), 413 body too large, 422 invalid body.

Beyond the contract: a request carrying `callback` details for a conversation
whose handoff is already open adds them to that handoff and answers 200 (the
patient left a number after being queued out of hours), and a request with a
higher priority raises the open handoff's priority.
"""

from __future__ import annotations

import hmac
import json
import logging
from datetime import datetime
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field, StrictBool, ValidationError, constr
from sqlalchemy.orm import Session, sessionmaker

from bot.apidoc import JsonSchema, OutModel, errors, json_body
from bot.db.base import utcnow
from bot.db.models import Conversation
from bot.db.session import unit_of_work
from bot.gateway import handoff_worker
from bot.gateway.deps import opening_hours_dep, session_factory_dep, settings_dep
from bot.gateway.http_errors import status_for
from bot.handoff import queue, service
from bot.handoff.availability import OpeningHours, clinician_available
from bot.handoff.errors import ConversationNotFound, HandoffAlreadyOpen, HandoffError
from bot.handoff.feedback import record_feedback
from bot.handoff.models import Handoff
from bot.settings import Settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-PatientBot-Secret"
# Ids and contacts hold no control characters (PostgreSQL refuses NUL in text: a 500).
NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]+$"
MAX_BODY_BYTES = 64 * 1024

router = APIRouter(prefix="/api", tags=["handoff API (action server)"], lifespan=handoff_worker.lifespan)

# Read by require_secret; declared as a security scheme so that OpenAPI says so.
_secret_header = APIKeyHeader(
    name=SECRET_HEADER,
    auto_error=False,
    scheme_name="HandoffSecret",
    description="PATIENTBOT_HANDOFF_SECRET, shared with the action server.",
)


def _consent_must_be_true(schema: JsonSchema, _model: type[BaseModel]) -> None:
    # Any boolean parses; false is then refused with a sentence of its own (the domain's).
    schema["properties"]["consent"]["enum"] = [True]


class CallbackIn(BaseModel):
    contact: constr(strip_whitespace=True, min_length=1, max_length=200, regex=NO_CONTROL)  # type: ignore[valid-type]
    consent: StrictBool = Field(..., description="The patient agreed to be called back: must be true.")

    class Config:
        extra = "forbid"
        schema_extra = _consent_must_be_true


class HandoffIn(BaseModel):
    sender_id: constr(strip_whitespace=True, min_length=1, max_length=160, regex=NO_CONTROL)  # type: ignore[valid-type]
    reason: Literal[service.REASONS]  # type: ignore[valid-type]
    priority: Literal[service.PRIORITIES]  # type: ignore[valid-type]
    summary: dict[str, Any] = {}
    callback: CallbackIn | None = None

    class Config:
        extra = "forbid"


class FeedbackIn(BaseModel):
    # 128: the width of answer_feedback.sender_id (a longer one was a database error, a 500).
    sender_id: constr(strip_whitespace=True, min_length=1, max_length=128, regex=NO_CONTROL)  # type: ignore[valid-type]
    faq_id: constr(strip_whitespace=True, regex=r"^[A-Za-z0-9_./-]{1,64}$")  # type: ignore[valid-type]
    helpful: StrictBool

    class Config:
        extra = "forbid"


class TicketOut(OutModel):
    handoff_id: str
    status: str
    priority: str
    queue_position: int = Field(..., description="1 for the next to be claimed; 0 once claimed.")
    expected_wait_minutes: int
    clinician_available: bool


class AlreadyOpenOut(TicketOut):
    """409: the handoff already open for this conversation, and why nothing new was opened."""

    detail: str


class FieldError(OutModel):
    field: str
    message: str


class InvalidBodyOut(OutModel):
    """422: a sentence, or one entry per invalid field of a well-formed JSON object."""

    detail: str | list[FieldError]


class FeedbackOut(OutModel):
    id: int
    faq_id: str
    helpful: bool


_ERRORS = {
    **errors(
        {
            401: f"Missing or wrong {SECRET_HEADER} header.",
            404: "Unknown sender_id: no such conversation.",
            413: f"Body over {MAX_BODY_BYTES} bytes.",
        }
    ),
    **errors({422: "Not a JSON object, or invalid fields."}, InvalidBodyOut),
}


def require_secret(
    request: Request,
    settings: Settings = Depends(settings_dep),
    _documented: str | None = Security(_secret_header),
) -> None:
    given = request.headers.get(SECRET_HEADER, "").encode()
    expected = settings.handoff_secret.get_secret_value().encode()
    if not hmac.compare_digest(given, expected):
        raise HTTPException(401, f"Missing or wrong {SECRET_HEADER} header.")


async def _parse(request: Request, model: type[BaseModel]) -> Any:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise HTTPException(413, f"The body must be at most {MAX_BODY_BYTES} bytes.")
    try:
        data = json.loads(body)
    except ValueError:
        raise HTTPException(422, "The body must be a JSON object.") from None
    if not isinstance(data, dict):
        raise HTTPException(422, "The body must be a JSON object.")
    try:
        return model.parse_obj(data)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        raise HTTPException(422, errors) from None


def conversation_id_of(sender_id: str) -> str:
    """Rasa sender ids are `<conversation id>-<segment>` (see the gateway's segments)."""
    head, sep, tail = sender_id.rpartition("-")
    return head if sep and tail.isdigit() else sender_id


def _ticket(session: Session, handoff: Handoff, available: bool) -> dict[str, Any]:
    position = queue.queue_position(session=session, handoff=handoff)
    return {
        "handoff_id": handoff.id,
        "status": handoff.status,
        "priority": handoff.priority,
        "queue_position": position,
        "expected_wait_minutes": queue.expected_wait_minutes(session=session, position=position),
        "clinician_available": available,
    }


def _open(
    factory: sessionmaker, body: HandoffIn, hours: OpeningHours | None
) -> tuple[int, dict[str, Any]]:
    conversation_id = conversation_id_of(body.sender_id)
    callback = body.callback.dict() if body.callback else None
    red_flags = body.summary.get("red_flags") if isinstance(body.summary, dict) else None
    now: datetime = utcnow()
    try:
        with unit_of_work(factory) as session:
            if session.get(Conversation, conversation_id) is None:
                raise ConversationNotFound("Unknown sender_id: no such conversation.")
            available = clinician_available(session=session, now=now, hours=hours)
            handoff = service.open_handoff(
                session=session,
                conversation_id=conversation_id,
                reason=body.reason,
                priority=body.priority,
                summary=body.summary or None,
                red_flags=red_flags if isinstance(red_flags, list) else None,
                callback=callback,
                clinician_available=available,
                actor_kind="action_server",
            )
            logger.info("handoff %s opened (%s, %s)", handoff.id, body.reason, body.priority)
            return 201, _ticket(session, handoff, available)
    except HandoffAlreadyOpen as open_one:
        with unit_of_work(factory) as session:
            handoff = queue.get_handoff(session=session, handoff_id=open_one.handoff_id)
            service.raise_priority(
                session=session,
                handoff_id=handoff.id,
                priority=body.priority,
                red_flags=red_flags if isinstance(red_flags, list) else None,
                actor_kind="action_server",
            )
            available = clinician_available(session=session, now=now, hours=hours)
            if callback is not None:
                service.attach_callback(
                    session=session, handoff_id=handoff.id, callback=callback, actor_kind="action_server"
                )
                return 200, _ticket(session, handoff, available)
            return 409, {**_ticket(session, handoff, available), "detail": open_one.message}


def _feedback(factory: sessionmaker, body: FeedbackIn) -> dict[str, Any]:
    conversation_id = conversation_id_of(body.sender_id)
    with unit_of_work(factory) as session:
        if session.get(Conversation, conversation_id) is None:
            raise ConversationNotFound("Unknown sender_id: no such conversation.")
        feedback = record_feedback(
            session=session,
            conversation_id=conversation_id,
            sender_id=body.sender_id,
            faq_id=body.faq_id,
            helpful=body.helpful,
        )
        return {"id": feedback.id, "faq_id": feedback.faq_id, "helpful": feedback.helpful}


def _error(error: HandoffError) -> JSONResponse:
    return JSONResponse({"detail": error.message}, status_code=status_for(error))


@router.post(
    "/handoffs",
    status_code=201,
    response_model=TicketOut,
    responses={
        200: {"model": TicketOut, "description": "Callback details added to the open handoff."},
        409: {
            "model": AlreadyOpenOut,
            "description": "A handoff is already open: it is returned, with its priority "
            "raised (and audited) if this request's is higher.",
        },
        **_ERRORS,
    },
    dependencies=[Depends(require_secret)],
    openapi_extra=json_body(HandoffIn),
)
async def create_handoff(
    request: Request,
    factory: sessionmaker = Depends(session_factory_dep),
    hours: OpeningHours | None = Depends(opening_hours_dep),
) -> JSONResponse:
    """Queue a handoff for the conversation behind `sender_id` and tell the caller the wait."""
    body: HandoffIn = await _parse(request, HandoffIn)
    try:
        status, payload = await anyio.to_thread.run_sync(_open, factory, body, hours)
    except HandoffError as error:
        return _error(error)
    return JSONResponse(payload, status_code=status)


@router.post(
    "/feedback",
    status_code=201,
    response_model=FeedbackOut,
    responses=_ERRORS,
    dependencies=[Depends(require_secret)],
    openapi_extra=json_body(FeedbackIn),
)
async def create_feedback(
    request: Request, factory: sessionmaker = Depends(session_factory_dep)
) -> JSONResponse:
    """Record whether a FAQ answer helped."""
    body: FeedbackIn = await _parse(request, FeedbackIn)
    try:
        payload = await anyio.to_thread.run_sync(_feedback, factory, body)
    except HandoffError as error:
        return _error(error)
    return JSONResponse(payload, status_code=201)
