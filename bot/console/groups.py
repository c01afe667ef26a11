"""Support groups in the console: link a group to its moderators, turn its myth watch off, read its report.

Admins see every group the bot is in and choose its moderator clinicians; a
group with none is unlinked, and the bot only answers emergencies there.
Moderators (and admins) see their groups' activity: how many answers, myth
replies and red-flag alerts, and the messages they concern while those are
kept (group_message_retention_days); they acknowledge alerts and can turn the
myth watch off. Opening a report is audited, as opening a transcript is.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.console.auth import ConsoleUser, csrf_checked_user, current_user
from bot.console.forms import read_form
from bot.console.rendering import ConsoleError, ConsoleRoute, render, wants_json
from bot.console.roles import admin_changing
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.gateway.deps import session_factory_dep, settings_dep
from bot.groups import activity, links
from bot.groups.errors import GroupError
from bot.groups.texts import message_link
from bot.handoff import audit
from bot.handoff.models import Clinician
from bot.safety.categories import LABELS
from bot.settings import Settings

router = APIRouter(prefix="/console", route_class=ConsoleRoute)

REPORT_DAYS = (7, 30, 90)
KIND_NAMES = {
    "answer": "Answers",
    "private_offer": "Private-chat offers",
    "myth_reply": "Myth replies",
    "red_flag": "Red-flag alerts",
    "welcome": "Welcomes",
}


def _run(factory: sessionmaker, work: Any) -> Any:
    try:
        with unit_of_work(factory) as session:
            return work(session)
    except GroupError as error:
        raise ConsoleError(error.status_code, error.message) from None


def _list_data(factory: sessionmaker, user: ConsoleUser) -> dict[str, Any]:
    def load(session: Any) -> dict[str, Any]:
        groups = links.visible_groups(session=session, clinician_id=user.id, is_admin=user.role == "admin")
        moderators = {g.id: links.moderator_ids(session=session, group_id=g.id) for g in groups}
        clinicians = list(session.scalars(select(Clinician).where(Clinician.disabled.is_(False)).order_by(Clinician.display_name)))
        return {
            "groups": groups,
            "moderators": moderators,
            "clinicians": clinicians,
            "names": {c.id: c.display_name for c in clinicians},
            "open_alerts": activity.open_alert_counts(session=session, group_ids=[g.id for g in groups]),
        }

    return _run(factory, load)


@router.get("/groups", include_in_schema=False)
async def groups_page(
    request: Request,
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    data = await anyio.to_thread.run_sync(_list_data, factory, user)
    return render(request, "groups.html", {"user": user, **data})


@router.post("/groups/{group_id}/moderators", include_in_schema=False)
async def set_moderators(
    request: Request,
    group_id: int,
    user: ConsoleUser = Depends(admin_changing("link groups to moderators")),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    """Admins only: exactly the ticked clinicians moderate the group (none: unlinked)."""
    form = await read_form(request)
    try:
        chosen = [int(str(value)) for value in form.getlist("clinician")]
    except ValueError:
        raise ConsoleError(422, "Choose moderators from the list.") from None

    def change(session: Any) -> list[int]:
        ids = links.set_moderators(session=session, group_id=group_id, clinician_ids=chosen, now=utcnow())
        audit.record(session=session, action="group.moderators_set", target_type="support_group",
                     target_id=group_id, actor_id=user.id, details={"moderators": ids})
        return ids

    ids = await anyio.to_thread.run_sync(_run, factory, change)
    if wants_json(request):
        return JSONResponse({"group_id": group_id, "moderators": ids})
    return RedirectResponse("/console/groups", status_code=303)


@router.post("/groups/{group_id}/myth-watch", include_in_schema=False)
async def set_myth_watch(
    request: Request,
    group_id: int,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    """A moderator or an admin turns the group's myth replies on or off."""
    value = (await read_form(request)).get("enabled")
    if value not in ("true", "false"):
        raise ConsoleError(422, "enabled must be true or false.")

    def change(session: Any) -> bool:
        links.require_moderator(session=session, group_id=group_id, clinician_id=user.id, is_admin=user.role == "admin")
        group = links.set_myth_watch(session=session, group_id=group_id, enabled=value == "true")
        audit.record(session=session, action="group.myth_watch_set", target_type="support_group",
                     target_id=group_id, actor_id=user.id, details={"enabled": group.myth_watch_enabled})
        return bool(group.myth_watch_enabled)

    enabled = await anyio.to_thread.run_sync(_run, factory, change)
    if wants_json(request):
        return JSONResponse({"group_id": group_id, "myth_watch_enabled": enabled})
    return RedirectResponse(f"/console/groups/{group_id}", status_code=303)


@router.post("/groups/{group_id}/alerts/{event_id}/acknowledge", include_in_schema=False)
async def acknowledge(
    request: Request,
    group_id: int,
    event_id: int,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    def change(session: Any) -> None:
        links.require_moderator(session=session, group_id=group_id, clinician_id=user.id, is_admin=user.role == "admin")
        activity.acknowledge_alert(session=session, group_id=group_id, event_id=event_id, clinician_id=user.id,
                                   now=utcnow())
        audit.record(session=session, action="group.alert_acknowledged", target_type="support_group",
                     target_id=group_id, actor_id=user.id, details={"event_id": event_id})

    await anyio.to_thread.run_sync(_run, factory, change)
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse(f"/console/groups/{group_id}", status_code=303)


def _report_data(factory: sessionmaker, user: ConsoleUser, group_id: int, days: int) -> dict[str, Any]:
    def load(session: Any) -> dict[str, Any]:
        group = links.require_moderator(session=session, group_id=group_id, clinician_id=user.id,
                                        is_admin=user.role == "admin")
        report = activity.activity_report(session=session, group_id=group_id, since=utcnow() - timedelta(days=days))
        audit.record(session=session, action="group.report_viewed", target_type="support_group",
                     target_id=group_id, actor_id=user.id, details={"days": days})
        moderators = links.moderator_ids(session=session, group_id=group_id)
        names = dict(session.execute(select(Clinician.id, Clinician.display_name)).all())
        return {
            "group": group,
            "report": report,
            "moderator_names": [names.get(m, str(m)) for m in moderators],
            "names": names,
            "links": {e.id: message_link(group.telegram_chat_id, e.telegram_message_id) for e in report.events},
        }

    return _run(factory, load)


def _report_json(data: dict[str, Any], days: int) -> dict[str, Any]:
    group, report = data["group"], data["report"]
    return {
        "group_id": group.id,
        "title": group.title,
        "days": days,
        "counts": report.counts,
        "open_alerts": [e.id for e in report.open_alerts],
        "events": [
            {"id": e.id, "kind": e.kind, "detail": e.detail, "created_at": e.created_at.isoformat() + "Z",
             "message_text": e.message_text, "acknowledged": e.acknowledged_at is not None}
            for e in report.events
        ],
    }


@router.get("/groups/{group_id}", include_in_schema=False)
async def report_page(
    request: Request,
    group_id: int,
    days: int = Query(30, description="the report's period in days"),
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
    settings: Settings = Depends(settings_dep),
) -> Response:
    if days not in REPORT_DAYS:
        raise ConsoleError(422, f"days must be one of {', '.join(map(str, REPORT_DAYS))}.")
    data = await anyio.to_thread.run_sync(_report_data, factory, user, group_id, days)
    if wants_json(request):
        return JSONResponse(_report_json(data, days))
    return render(request, "group_report.html", {
        "user": user, **data, "days": days, "all_days": REPORT_DAYS, "kind_names": KIND_NAMES,
        "labels": LABELS, "retention_days": settings.group_message_retention_days,
    })
