"""Proposals under review: send one from the inbox, approve or reject it (reviewers), publish (admins).

Any console user may propose and see the list; approving and rejecting are
for clinicians with the reviewer flag, never on their own proposal (checked
in bot.proposals.service, whatever the form says). Approval writes into the
content files. Admins get a button that rebuilds the content, retrains the
model if stale and rolls it onto the Rasa servers (bot.proposals.rollout),
in the background: the page shows how far it got.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import sessionmaker

from bot.console.auth import ConsoleUser, csrf_checked_user, current_user
from bot.console.content_paths import clinic_file_dep, clinic_profile, content_dir_dep
from bot.console.forms import read_form
from bot.console.rendering import ConsoleError, ConsoleRoute, render
from bot.console.roles import admin_changing
from bot.content.store import get_content_store
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.gateway.deps import session_factory_dep, settings_dep
from bot.handoff import audit
from bot.handoff.models import Clinician
from bot.proposals import service
from bot.proposals.models import ContentProposal
from bot.proposals.rollout import publisher_for
from bot.settings import Settings

router = APIRouter(prefix="/console", route_class=ConsoleRoute)


def _clinician(session: Any, user: ConsoleUser) -> Clinician:
    clinician = session.get(Clinician, user.id)
    if clinician is None:
        raise ConsoleError(403, "Your account no longer exists.")
    return clinician


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def _ids(form: Any) -> list[int]:
    try:
        return [int(v) for v in form.getlist("question")]
    except ValueError:
        raise ConsoleError(422, "Invalid question.") from None


def _create(
    factory: sessionmaker, user: ConsoleUser, fields: dict[str, Any], ids: list[int], clinic: dict[str, Any],
    content_dir: Path,
) -> str:
    with unit_of_work(factory) as session:
        try:
            proposal = service.propose(
                session=session, kind=fields["kind"], faq_id=fields["faq_id"], texts=fields["texts"],
                proposer=_clinician(session, user), clinic=clinic, content_dir=content_dir, now=utcnow(),
                title=fields["title"], note=fields["note"], question_ids=ids,
            )
        except service.ProposalError as error:
            raise ConsoleError(error.status, str(error)) from None
        return str(proposal.id)


@router.post("/proposals", include_in_schema=False)
async def create_proposal(
    request: Request,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
    clinic_file: Path = Depends(clinic_file_dep),
    content_dir: Path = Depends(content_dir_dep),
) -> Response:
    form = await read_form(request)
    kind = str(form.get("kind") or "")
    faq_id = str(form.get("new_faq_id") if kind == "new_faq" else form.get("faq_id") or "").strip()
    fields = {
        "kind": kind, "faq_id": faq_id, "texts": _lines(form.get("texts")),
        "title": str(form.get("title") or ""), "note": str(form.get("note") or ""),
    }
    await anyio.to_thread.run_sync(
        _create, factory, user, fields, _ids(form), clinic_profile(clinic_file), content_dir
    )
    return RedirectResponse("/console/proposals", status_code=303)


def _list(factory: sessionmaker, user: ConsoleUser) -> tuple[list[ContentProposal], bool]:
    with unit_of_work(factory) as session:
        proposals = service.list_proposals(session=session)
        reviewer = bool(_clinician(session, user).reviewer)
        audit.record(
            session=session, action="proposals.viewed", target_type="proposal", target_id="list", actor_id=user.id,
            details={"proposals": len(proposals)},
        )
        return proposals, reviewer


@router.get("/proposals", include_in_schema=False)
async def proposals_page(
    request: Request,
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
    settings: Settings = Depends(settings_dep),
) -> Response:
    proposals, reviewer = await anyio.to_thread.run_sync(_list, factory, user)
    publisher = publisher_for(request.app, settings)
    return render(
        request, "proposals.html",
        {"user": user, "proposals": proposals, "reviewer": reviewer, "title": get_content_store().faq_title,
         "publish": publisher.state},
    )


def _review(factory: sessionmaker, user: ConsoleUser, proposal_id: str, approve: bool, note: str, content_dir: Path) -> None:
    with unit_of_work(factory) as session:
        reviewer = _clinician(session, user)
        try:
            if approve:
                service.approve(
                    session=session, proposal_id=proposal_id, reviewer=reviewer, content_dir=content_dir, now=utcnow()
                )
            else:
                service.reject(session=session, proposal_id=proposal_id, reviewer=reviewer, now=utcnow(), note=note)
        except service.ProposalError as error:
            raise ConsoleError(error.status, str(error)) from None


@router.post("/proposals/{proposal_id}/{decision}", include_in_schema=False)
async def review_proposal(
    request: Request,
    proposal_id: str,
    decision: str,
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
    content_dir: Path = Depends(content_dir_dep),
) -> Response:
    if decision not in ("approve", "reject"):
        raise ConsoleError(404, "Not found.")
    form = await read_form(request)
    await anyio.to_thread.run_sync(
        _review, factory, user, proposal_id, decision == "approve", str(form.get("note") or ""), content_dir
    )
    return RedirectResponse("/console/proposals", status_code=303)


@router.post("/content/publish", include_in_schema=False)
async def publish_content(
    request: Request,
    user: ConsoleUser = Depends(admin_changing("publish the content")),
    factory: sessionmaker = Depends(session_factory_dep),
    settings: Settings = Depends(settings_dep),
) -> Response:
    """Rebuild the content, retrain if stale, roll out (admins); runs in the background."""
    publisher = publisher_for(request.app, settings)
    if not publisher.start():
        raise ConsoleError(409, "A publish is already running.")

    def record() -> None:
        with unit_of_work(factory) as session:
            audit.record(
                session=session, action="content.publish_started", target_type="content", target_id="model",
                actor_id=user.id,
            )

    await anyio.to_thread.run_sync(record)
    return RedirectResponse("/console/proposals", status_code=303)
