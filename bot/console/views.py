"""The console's pages and the clinician's actions: claim, reply, release, resolve, on duty.

Every action is a POST with this session's CSRF token. A refused action (taken
by someone else, closed, not yours, empty note...) is answered with its 4xx
status and a sentence saying why, and changes nothing: the domain layer raises
before anything is written, and the unit of work rolls back.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import sessionmaker

from bot.apidoc import OutModel, errors
from bot.console import data
from bot.console.auth import ConsoleUser, csrf_checked_user, current_user
from bot.console.canned import CANNED_REPLIES, canned_text
from bot.console.forms import form_fields
from bot.console.rendering import (
    LOGIN_REQUIRED_MESSAGE,
    ConsoleError,
    ConsoleRoute,
    render,
    wants_json,
)
from bot.db.session import unit_of_work
from bot.gateway import outbound
from bot.gateway.deps import session_factory_dep, settings_dep
from bot.gateway.validation import visible_text
from bot.handoff import clinicians, service
from bot.handoff.rating import rating_buttons
from bot.handoff.texts import system_text
from bot.settings import Settings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/console", route_class=ConsoleRoute)


def _done(request: Request, location: str, payload: dict[str, Any] | None = None) -> Response:
    if wants_json(request):
        return JSONResponse(payload or {"ok": True})
    return RedirectResponse(location, status_code=303)


# --- pages ---------------------------------------------------------------------------------


async def _render_queue(request: Request, user: ConsoleUser, factory: sessionmaker, template: str) -> Response:
    """The queue, as the whole page or as the tables the page refreshes."""
    view = await anyio.to_thread.run_sync(data.queue_view, factory, user.id)
    return render(request, template, {"user": user, **view})


@router.get("/", include_in_schema=False)
async def queue_page(
    request: Request,
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    return await _render_queue(request, user, factory, "queue.html")


@router.get("/partials/queue", include_in_schema=False)
async def queue_partial(
    request: Request,
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    return await _render_queue(request, user, factory, "_queue_tables.html")


@router.get("/feedback", include_in_schema=False)
async def feedback_page(
    request: Request,
    days: int = Query(30, ge=1, le=3650, description="how many days back"),
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    """"Was this helpful?" per FAQ, least helpful first: which vetted answers to review next."""
    view = await anyio.to_thread.run_sync(data.feedback_view, factory, days)
    return render(request, "feedback.html", {"user": user, **view})


@router.get("/handoffs/{handoff_id}", include_in_schema=False)
async def handoff_page(
    handoff_id: str,
    request: Request,
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    view = await anyio.to_thread.run_sync(data.handoff_view, factory, handoff_id, user.id)
    return render(request, "handoff.html", {"user": user, "canned": CANNED_REPLIES, **view})


@router.get("/partials/handoffs/{handoff_id}/messages", include_in_schema=False)
async def messages_partial(
    handoff_id: str,
    request: Request,
    after: int = 0,
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    messages = await anyio.to_thread.run_sync(data.new_messages, factory, handoff_id, user.id, max(0, after))
    return render(request, "_messages.html", {"messages": messages})


class HandoffStateOut(OutModel):
    id: str
    status: str
    priority: str
    claimed_by: str | None
    mine: bool
    open: bool
    queue_position: int


@router.get(
    "/api/handoffs/{handoff_id}",
    response_model=HandoffStateOut,
    responses=errors(
        {
            401: LOGIN_REQUIRED_MESSAGE,
            404: "No such handoff.",
            422: "Invalid input.",
        }
    ),
    summary="A handoff's status, for the console page",
)
async def handoff_state(
    handoff_id: str,
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> JSONResponse:
    """Status of one handoff (no patient text), for the page to notice a claim or a close."""
    return JSONResponse(await anyio.to_thread.run_sync(data.handoff_state, factory, handoff_id, user.id))


# --- actions -------------------------------------------------------------------------------


def _run(factory: sessionmaker, function: Any, **kwargs: Any) -> Any:
    with unit_of_work(factory) as session:
        result = function(session=session, **kwargs)
        return getattr(result, "id", None)


async def _announce_clinician(request: Request, claimed: service.Claimed) -> None:
    """Tell the patient a person has taken over (once, on a new claim)."""
    if not claimed.new:
        return
    try:
        await outbound.deliver(
            request.app, claimed.conversation_id, system_text("clinician_joined"), sender="system"
        )
    except Exception:  # claimed all the same; the clinician's first reply will reach them
        logger.exception("clinician_joined for handoff %s not delivered", claimed.handoff_id)


@router.post("/handoffs/{handoff_id}/claim", include_in_schema=False)
async def claim(
    handoff_id: str,
    request: Request,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    data.check_handoff_id(handoff_id)

    def run() -> service.Claimed:
        with unit_of_work(factory) as session:
            return service.claim_reporting(session=session, handoff_id=handoff_id, clinician_id=user.id)

    await _announce_clinician(request, await anyio.to_thread.run_sync(run))
    return _done(request, f"/console/handoffs/{handoff_id}", {"ok": True, "handoff_id": handoff_id})


@router.post("/claim-next", include_in_schema=False)
async def claim_next(
    request: Request,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    def run() -> service.Claimed:
        with unit_of_work(factory) as session:
            handoff = service.claim_next(session=session, clinician_id=user.id)
            return service.Claimed(handoff.id, handoff.conversation_id, new=True)

    claimed = await anyio.to_thread.run_sync(run)
    await _announce_clinician(request, claimed)
    return _done(
        request, f"/console/handoffs/{claimed.handoff_id}", {"ok": True, "handoff_id": claimed.handoff_id}
    )


@router.post("/handoffs/{handoff_id}/release", include_in_schema=False)
async def release(
    handoff_id: str,
    request: Request,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    data.check_handoff_id(handoff_id)
    await anyio.to_thread.run_sync(
        lambda: _run(factory, service.release, handoff_id=handoff_id, clinician_id=user.id)
    )
    return _done(request, "/console/")


@router.post("/handoffs/{handoff_id}/reply", include_in_schema=False)
async def reply(
    handoff_id: str,
    request: Request,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
    settings: Settings = Depends(settings_dep),
) -> Response:
    """Send a reply (typed, or a canned one) to the patient's own channel."""
    data.check_handoff_id(handoff_id)
    form = await form_fields(request)
    # As the gateway will store it: a reply of control characters only is an empty one.
    text = visible_text(form.get("text") or "")
    canned_id = (form.get("canned_id") or "").strip() or None
    if not text and canned_id:
        text = canned_text(canned_id) or ""
        if not text:
            raise ConsoleError(422, "Unknown canned reply.")
    if not text:
        raise ConsoleError(422, "Write a reply (or pick a canned one) before sending.")
    if len(text) > settings.max_message_chars:
        raise ConsoleError(422, f"A reply can have at most {settings.max_message_chars} characters.")

    def check() -> str:
        with unit_of_work(factory) as session:
            handoff = service.check_can_reply(session=session, handoff_id=handoff_id, clinician_id=user.id)
            return handoff.conversation_id

    conversation_id = await anyio.to_thread.run_sync(check)
    try:
        message_id = await outbound.deliver(request.app, conversation_id, text, sender="clinician")
    except Exception:
        logger.exception("reply for handoff %s could not be delivered", handoff_id)
        raise ConsoleError(
            502, "The reply could not be delivered to the patient's channel. Try again."
        ) from None

    def record() -> None:
        with unit_of_work(factory) as session:
            handoff = service.check_can_reply(session=session, handoff_id=handoff_id, clinician_id=user.id)
            service.record_reply(
                session=session,
                handoff=handoff,
                clinician_id=user.id,
                message_id=message_id,
                canned=canned_id if text == canned_text(canned_id or "") else None,
            )

    await anyio.to_thread.run_sync(record)
    return _done(request, f"/console/handoffs/{handoff_id}", {"ok": True, "message_id": message_id})


@router.post("/handoffs/{handoff_id}/resolve", include_in_schema=False)
async def resolve(
    handoff_id: str,
    request: Request,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    """Close with an outcome note; the patient is told, asked for a rating, and the bot is back."""
    data.check_handoff_id(handoff_id)
    note = visible_text((await form_fields(request)).get("outcome_note") or "")

    def close() -> str:
        with unit_of_work(factory) as session:
            handoff = service.resolve(
                session=session, handoff_id=handoff_id, clinician_id=user.id, outcome_note=note
            )
            return handoff.conversation_id

    conversation_id = await anyio.to_thread.run_sync(close)
    try:
        await outbound.deliver(
            request.app, conversation_id, system_text("handoff_resolved"), sender="system"
        )
        await outbound.deliver(
            request.app,
            conversation_id,
            system_text("rating_request"),
            buttons=rating_buttons(),
            sender="system",
        )
    except Exception:  # resolved all the same; the patient's channel is the gateway's concern
        logger.exception("closing messages for handoff %s could not be delivered", handoff_id)
    return _done(request, "/console/")


@router.post("/duty", include_in_schema=False)
async def duty(
    request: Request,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    value = (await form_fields(request)).get("on_duty")
    if value not in ("true", "false"):
        raise ConsoleError(422, "on_duty must be true or false.")
    await anyio.to_thread.run_sync(
        lambda: _run(factory, clinicians.set_on_duty, clinician_id=user.id, on_duty=value == "true")
    )
    return _done(request, "/console/")
