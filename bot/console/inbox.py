"""The unanswered-questions inbox: groups of questions the bot could not answer, and what to do with them.

Clinicians and admins may open it (any logged-in console user: the inbox shows
patients' words, as a transcript does, and follows the transcript's rules).
Every view (the list, a group, the proposal form) writes an audit event in
the same transaction as the read; its details hold the period and ids, never
text. Actions: dismiss questions or a whole group, or take them to the
proposal form, which shows them redacted (bot.proposals.redact) for the
proposer to edit before sending.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import sessionmaker

from bot.console.auth import ConsoleUser, csrf_checked_user, current_user
from bot.console.content_paths import clinic_file_dep, clinic_profile
from bot.console.forms import read_form
from bot.console.rendering import ConsoleError, ConsoleRoute, render
from bot.content.store import get_content_store
from bot.dashboard.period import InvalidPeriod, Period, parse_period
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.gateway.deps import session_factory_dep
from bot.handoff import audit
from bot.inbox import actions, queries
from bot.inbox.grouping import faq_index
from bot.inbox.models import KINDS
from bot.inbox.worker import Collector
from bot.nlu.embedding_model import shared_encoder
from bot.proposals.models import KINDS as PROPOSAL_KINDS
from bot.proposals.redact import redact

router = APIRouter(prefix="/console", route_class=ConsoleRoute)

KIND_LABELS = {
    "rephrase": "asked to rephrase",
    "unchosen_suggestion": "\"did you mean\": none chosen",
    "clinician_offer": "offered a clinician",
    "not_helpful": "\"Not helpful\"",
}
PROPOSAL_LABELS = {
    "example": "an example question of an FAQ",
    "not_answered": "a not_answered question of an FAQ (on its topic, not answered by it)",
    "new_faq": "a new FAQ (a draft with these questions as examples)",
}
# Below this similarity the nearest FAQ is shown as "none close": likely a new topic.
CLOSE_AT = 0.3
assert set(KIND_LABELS) == set(KINDS) and set(PROPOSAL_LABELS) == set(PROPOSAL_KINDS)


def _period(start: str | None, end: str | None) -> Period:
    try:
        return parse_period(start=start, end=end, group="day", today=utcnow().date())
    except InvalidPeriod as error:
        raise ConsoleError(422, str(error)) from None


def _faq_choices() -> list[tuple[str, str]]:
    store = get_content_store()
    return sorted(((e.id, e.title) for e in store.entries() if e.kind == "faq"), key=lambda c: c[1].lower())


def collector_for(app: Any, factory: sessionmaker) -> Collector | None:
    """The app's collector; a test app that sets `app.state.inbox_collector = None` collects by hand."""
    if not hasattr(app.state, "inbox_collector"):
        app.state.inbox_collector = Collector(
            factory=factory,
            encoder=shared_encoder,
            faqs=lambda encoder: faq_index(get_content_store().entries(), encoder),
            clock=utcnow,
        )
    return app.state.inbox_collector


def inbox_view(factory: sessionmaker, period: Period, sort: str, clinician_id: int) -> queries.InboxPage:
    with unit_of_work(factory) as session:
        page = queries.inbox_page(session=session, start=period.start_at, end=period.end_at, sort=sort)
        audit.record(
            session=session, action="inbox.viewed", target_type="inbox", target_id="groups", actor_id=clinician_id,
            details={"from": period.start.isoformat(), "to": period.end.isoformat(), "sort": sort,
                     "groups": [g.id for g in page.groups]},
        )
    return page


@router.get("/inbox", include_in_schema=False)
async def inbox_page(
    request: Request,
    start: str | None = Query(None, alias="from", description="first day, YYYY-MM-DD (UTC)"),
    end: str | None = Query(None, alias="to", description="last day, YYYY-MM-DD (UTC)"),
    sort: str = Query("largest", description="largest or newest groups first"),
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    if sort not in queries.SORTS:
        raise ConsoleError(422, "Sort by largest or newest.")
    period = _period(start, end)
    collector = collector_for(request.app, factory)
    if collector is not None:
        collector.kick()  # new questions since the last pass, in the background
    page = await anyio.to_thread.run_sync(inbox_view, factory, period, sort, user.id)
    return render(
        request, "inbox.html",
        {"user": user, "page": page, "period": period, "sort": sort, "kinds": KIND_LABELS,
         "title": get_content_store().faq_title, "close_at": CLOSE_AT, "collected_at": collector.last_finished if collector else None},
    )


def group_view(factory: sessionmaker, group_id: int, clinician_id: int) -> queries.GroupDetail:
    with unit_of_work(factory) as session:
        detail = queries.group_detail(session=session, group_id=group_id)
        if detail is None:
            raise ConsoleError(404, "No such group: its questions may have been erased.")
        audit.record(
            session=session, action="inbox.group_viewed", target_type="inbox_group", target_id=group_id,
            actor_id=clinician_id, details={"questions": [q.question_id for q in detail.questions]},
        )
        return detail


@router.get("/inbox/groups/{group_id}", include_in_schema=False)
async def group_page(
    request: Request,
    group_id: int,
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    detail = await anyio.to_thread.run_sync(group_view, factory, group_id, user.id)
    return render(
        request, "inbox_group.html",
        {"user": user, "detail": detail, "kinds": KIND_LABELS, "title": get_content_store().faq_title},
    )


def _selected(form: Any) -> list[int]:
    ids = []
    for value in form.getlist("question"):
        try:
            ids.append(int(value))
        except ValueError:
            raise ConsoleError(422, "Invalid question.") from None
    if not ids:
        raise ConsoleError(422, "Choose at least one question.")
    return ids


def _dismiss(factory: sessionmaker, ids: list[int], clinician_id: int) -> int:
    with unit_of_work(factory) as session:
        try:
            count = actions.dismiss(session=session, question_ids=ids, clinician_id=clinician_id, now=utcnow())
        except actions.InboxError as error:
            raise ConsoleError(409, str(error)) from None
        audit.record(
            session=session, action="inbox.dismissed", target_type="inbox", target_id="questions",
            actor_id=clinician_id, details={"questions": ids},
        )
        return count


@router.post("/inbox/dismiss", include_in_schema=False)
async def dismiss(
    request: Request,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    form = await read_form(request)
    await anyio.to_thread.run_sync(_dismiss, factory, _selected(form), user.id)
    return RedirectResponse("/console/inbox", status_code=303)


def propose_form_view(
    factory: sessionmaker, ids: list[int], clinic: dict[str, Any], clinician_id: int
) -> list[str]:
    with unit_of_work(factory) as session:
        texts = actions.question_texts(session=session, question_ids=ids)
        if not texts:
            raise ConsoleError(409, "Nothing to propose: these questions were handled already or are gone.")
        audit.record(
            session=session, action="inbox.propose_viewed", target_type="inbox", target_id="questions",
            actor_id=clinician_id, details={"questions": ids},
        )
    redacted: list[str] = []
    for text in (redact(t, clinic) for t in texts):
        if text and text.lower() not in {r.lower() for r in redacted}:
            redacted.append(text)
    return redacted


@router.post("/inbox/propose", include_in_schema=False)
async def propose_form(
    request: Request,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
    clinic_file: Path = Depends(clinic_file_dep),
) -> Response:
    """The proposal form for the chosen questions, their words redacted and editable (changes nothing)."""
    form = await read_form(request)
    ids = _selected(form)
    texts = await anyio.to_thread.run_sync(propose_form_view, factory, ids, clinic_profile(clinic_file), user.id)
    nearest = str(form.get("faq_id") or "")
    return render(
        request, "inbox_propose.html",
        {"user": user, "ids": ids, "texts": texts, "faqs": _faq_choices(), "nearest": nearest,
         "kinds": PROPOSAL_LABELS},
    )
