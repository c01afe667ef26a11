"""The console's support-group pages over real HTTP: linking moderators, the myth switch, the report, alerts."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.groups import activity, links
from bot.handoff.models import AuditEvent, Clinician
from tests.bot.console.conftest import Console, csrf_of
from tests.support.handoff import make_clinician

CHAT = "-1001234567890"


def _ids(console: Console) -> dict[str, int]:
    with unit_of_work(console.factory) as session:
        return dict(session.execute(select(Clinician.username, Clinician.id)).all())


def _post(client: httpx.Client, page: str, path: str, data: dict[str, object]) -> httpx.Response:
    token = csrf_of(client.get(page).text)
    return client.post(path, data={"csrf_token": token, **data})


def test_admin_links_moderators_who_see_the_report_and_acknowledge_alerts(console: Console) -> None:
    now = utcnow()
    with unit_of_work(console.factory) as session:
        make_clinician(session, "carol", role="admin")
        group_id = links.record_bot_added(session=session, telegram_chat_id=CHAT, title="Diabetes support", now=now).id
        alert = activity.record_event(
            session=session, group_id=group_id, kind="red_flag", now=now, retention=timedelta(days=7),
            detail="overdose_poisoning", telegram_message_id=5012, message_text="i took the whole packet an hour ago",
            moderators_alerted=1,
        ).id
        activity.record_event(session=session, group_id=group_id, kind="myth_reply", now=now,
                              retention=timedelta(days=7), detail="myth_honey_infants", message_text="honey is fine for babies")
    ids = _ids(console)
    admin, alice, bob = console.login("carol"), console.login("alice"), console.login("bob")

    page = admin.get("/console/groups")
    assert page.status_code == 200 and "Diabetes support" in page.text and "not linked" in page.text
    # A clinician who moderates nothing sees no group, and cannot link one.
    assert "You moderate no group." in alice.get("/console/groups").text
    refused = _post(alice, "/console/groups", f"/console/groups/{group_id}/moderators", {"clinician": ids["alice"]})
    assert refused.status_code == 403
    assert alice.get(f"/console/groups/{group_id}").status_code == 403

    linked = _post(admin, "/console/groups", f"/console/groups/{group_id}/moderators", {"clinician": [ids["alice"]]})
    assert linked.status_code == 303
    bad = _post(admin, "/console/groups", f"/console/groups/{group_id}/moderators", {"clinician": "nobody"})
    assert bad.status_code == 422
    missing = _post(admin, "/console/groups", "/console/groups/999/moderators", {"clinician": [ids["alice"]]})
    assert missing.status_code == 404

    listing = alice.get("/console/groups").text
    assert "Diabetes support" in listing and "linked" in listing
    report = alice.get(f"/console/groups/{group_id}")
    assert report.status_code == 200
    # The report shows counts and the messages they concern; the alert links to the message in Telegram.
    assert "i took the whole packet an hour ago" in report.text and "honey is fine for babies" in report.text
    assert f'id="alert-{alert}"' in report.text and "https://t.me/c/1234567890/5012" in report.text
    as_json = alice.get(f"/console/groups/{group_id}", headers={"Accept": "application/json"}).json()
    assert as_json["counts"]["red_flag"] == 1 and as_json["counts"]["myth_reply"] == 1
    assert as_json["open_alerts"] == [alert]
    assert bob.get(f"/console/groups/{group_id}").status_code == 403

    page_url = f"/console/groups/{group_id}"
    ack = _post(alice, page_url, f"/console/groups/{group_id}/alerts/{alert}/acknowledge", {})
    assert ack.status_code == 303
    after = alice.get(page_url, headers={"Accept": "application/json"}).json()
    assert after["open_alerts"] == []
    assert "(acknowledged by Alice)" in alice.get(page_url).text

    off = _post(alice, page_url, f"/console/groups/{group_id}/myth-watch", {"enabled": "false"})
    assert off.status_code == 303
    assert 'id="myth-watch">off<' in alice.get(page_url).text
    assert _post(alice, page_url, f"/console/groups/{group_id}/myth-watch", {"enabled": "maybe"}).status_code == 422
    assert _post(bob, "/console/groups", f"/console/groups/{group_id}/myth-watch", {"enabled": "true"}).status_code == 403
    no_csrf = alice.post(f"/console/groups/{group_id}/myth-watch", data={"enabled": "true"})
    assert no_csrf.status_code == 403

    with unit_of_work(console.factory) as session:
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "support_group")))
        assert actions == {"group.moderators_set", "group.report_viewed", "group.alert_acknowledged",
                           "group.myth_watch_set"}
        assert links.get_group(session=session, group_id=group_id).myth_watch_enabled is False
