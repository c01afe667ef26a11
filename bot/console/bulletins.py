"""The admins' bulletin page: pick a sendable bulletin and an audience, see its reach, send, watch progress.

Only admins may open it. The list shows every bulletin with why it cannot be
sent (draft, not yet due, expired); the server checks again when the form is
posted, so a bulletin that is not approved or has expired is refused (422)
whatever the form says. Sending is audited. The progress page reloads itself
(a Refresh header, no script) until nothing is left queued. No patient's
identity or words appear: counts only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import sessionmaker

from bot.bulletins import outbox
from bot.bulletins.dispatch import bulletins_by_id, dispatcher_for
from bot.bulletins.models import BulletinSend
from bot.console.auth import ConsoleUser
from bot.console.forms import read_form
from bot.console.rendering import ConsoleError, ConsoleRoute, render
from bot.console.roles import admin_changing, admin_user
from bot.content.bulletins import TOPICS, Bulletin
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.gateway.deps import session_factory_dep, settings_dep
from bot.handoff import audit
from bot.settings import Settings

router = APIRouter(prefix="/console", route_class=ConsoleRoute)

# Where a bulletin can be sent. The web chat cannot be pushed to while the widget is closed:
# its rows stay queued until the patient next opens it (bot/channels/webchat_bulletins.py).
CHANNELS = {"telegram": "Telegram", "webchat": "Web chat (shown when the widget next opens)"}
REFRESH_S = 3


def _page_data(factory: sessionmaker, bulletin_id: str | None, topics: list[str], channels: list[str]) -> dict[str, Any]:
    today = date.today()
    bulletins = bulletins_by_id()
    chosen = bulletins.get(bulletin_id or "")
    topics = topics or (list(chosen.topics) if chosen else [])
    with unit_of_work(factory) as session:
        count = outbox.reach(session=session, bulletin_id=chosen.id, topics=topics, channels=channels) if chosen else None
        sends = [
            (send, bulletins.get(send.bulletin_id), outbox.progress(session=session, send_id=send.id))
            for send in outbox.recent_sends(session=session)
        ]
    return {
        "bulletins": [(b, b.why_not_sendable(today)) for b in bulletins.values()],
        "chosen": chosen,
        "chosen_problem": chosen.why_not_sendable(today) if chosen else None,
        "topics": topics,
        "channels": channels,
        "reach": count,
        "sends": sends,
        "all_topics": TOPICS,
        "all_channels": CHANNELS,
    }


@router.get("/bulletins", include_in_schema=False)
async def bulletins_page(
    request: Request,
    bulletin: str | None = Query(None, description="the bulletin to send"),
    topic: list[str] = Query([], description="audience topics (default: the bulletin's)"),
    channel: list[str] = Query(["telegram"], description="audience channels"),
    user: ConsoleUser = Depends(admin_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    topics = [t for t in topic if t in TOPICS]
    channels = [c for c in channel if c in CHANNELS] or ["telegram"]
    data = await anyio.to_thread.run_sync(_page_data, factory, bulletin, topics, channels)
    return render(request, "bulletins.html", {"user": user, **data})


def _queue(factory: sessionmaker, bulletin: Bulletin, topics: list[str], channels: list[str], user_id: int) -> str:
    with unit_of_work(factory) as session:
        try:
            send = outbox.queue_send(
                session=session, bulletin=bulletin, topics=topics, channels=channels, created_by=str(user_id), now=utcnow()
            )
        except outbox.NotSendable as error:
            raise ConsoleError(422, str(error)) from None
        audit.record(
            session=session, action="bulletin.sent", target_type="bulletin", target_id=bulletin.id, actor_id=user_id,
            details={"send_id": send.id, "topics": topics, "channels": channels},
        )
        return str(send.id)


@router.post("/bulletins/send", include_in_schema=False)
async def send_bulletin(
    request: Request,
    user: ConsoleUser = Depends(admin_changing("send bulletins")),
    factory: sessionmaker = Depends(session_factory_dep),
    settings: Settings = Depends(settings_dep),
) -> Response:
    form = await read_form(request)
    bulletin = bulletins_by_id().get(str(form.get("bulletin", "")))
    if bulletin is None:
        raise ConsoleError(422, "Choose a bulletin.")
    topics = [str(t) for t in form.getlist("topic") if t in TOPICS]
    channels = [str(c) for c in form.getlist("channel") if c in CHANNELS]
    if not topics or not channels:
        raise ConsoleError(422, "Choose at least one topic and one channel.")
    send_id = await anyio.to_thread.run_sync(_queue, factory, bulletin, topics, channels, user.id)
    dispatcher_for(request.app, settings, factory).start(send_id, bulletin)
    return RedirectResponse(f"/console/bulletins/sends/{send_id}", status_code=303)


def _send_state(factory: sessionmaker, send_id: str) -> tuple[BulletinSend, dict[str, int]]:
    with unit_of_work(factory) as session:
        send = session.get(BulletinSend, send_id)
        if send is None:
            raise ConsoleError(404, "No such send.")
        return send, outbox.progress(session=session, send_id=send_id)


@router.get("/bulletins/sends/{send_id}.json", include_in_schema=False)
async def send_progress(
    send_id: str, user: ConsoleUser = Depends(admin_user), factory: sessionmaker = Depends(session_factory_dep)
) -> Response:
    send, counts = await anyio.to_thread.run_sync(_send_state, factory, send_id)
    return JSONResponse({"send_id": send.id, "bulletin_id": send.bulletin_id, **counts})


@router.get("/bulletins/sends/{send_id}", include_in_schema=False)
async def send_page(
    request: Request,
    send_id: str,
    user: ConsoleUser = Depends(admin_user),
    factory: sessionmaker = Depends(session_factory_dep),
    settings: Settings = Depends(settings_dep),
) -> Response:
    send, counts = await anyio.to_thread.run_sync(_send_state, factory, send_id)
    task = dispatcher_for(request.app, settings, factory).tasks.get(send_id)
    running = task is not None and not task.done()
    response = render(
        request, "bulletin_send.html",
        {"user": user, "send": send, "counts": counts, "bulletin": bulletins_by_id().get(send.bulletin_id),
         "all_topics": TOPICS, "running": running},
    )
    if running:  # Telegram rows still going out (web chat rows wait for their widget)
        response.headers["Refresh"] = str(REFRESH_S)
    return response
