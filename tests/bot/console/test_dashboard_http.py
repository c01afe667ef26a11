"""The admins' dashboard over real HTTP on SQLite and PostgreSQL: roles, audit, CSV, no patient text."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest
from sqlalchemy import select

from bot.dashboard.report import TABLES
from bot.db.session import unit_of_work
from bot.handoff.models import AuditEvent, Clinician
from tests.bot.console.conftest import Console
from tests.bot.dashboard.conftest import FIRST, LAST, SECRET_WORDS, write_scenario
from tests.support.handoff import make_clinician

PERIOD = {"from": FIRST.isoformat(), "to": LAST.isoformat(), "group": "day"}


@pytest.fixture
def admin(console: Console) -> httpx.Client:
    with unit_of_work(console.factory) as session:
        make_clinician(session, "carol", role="admin")
        write_scenario(session)
    return console.login("carol")


def _audit(console: Console) -> list[tuple[str, str, int | None, dict | None]]:
    with unit_of_work(console.factory) as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.target_type == "dashboard").order_by(AuditEvent.id))
        return [(e.action, e.target_id, e.actor_id, e.details) for e in rows]


def test_the_page_shows_the_figures_plots_and_tables_without_patient_text(console: Console, admin: httpx.Client) -> None:
    page = admin.get("/console/dashboard", params=PERIOD)
    assert page.status_code == 200, page.text
    html = page.text
    assert "PATIENT-SAID" not in html and "Jane Roe" not in html and "555-0100" not in html
    assert SECRET_WORDS not in html
    assert re.search(r"<th scope=\"row\">Containment \(ended without a handoff\)</th><td>25.0%</td>", html)
    assert html.count('<svg class="chart"') == 4
    for chart in re.findall(r'<svg class="chart" id="([^"]+)" role="img" aria-labelledby="\1-title \1-desc"', html):
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
    for name in TABLES:
        assert f'id="table-{name}"' in html
        assert f"/console/dashboard.csv?table={name}&amp;from=2026-03-02&amp;to=2026-03-10&amp;group=day" in html
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert 'href="/console/dashboard"' in html  # in the admin's menu


def test_every_view_and_export_is_audited_with_its_period(console: Console, admin: httpx.Client) -> None:
    admin.get("/console/dashboard", params=PERIOD)
    admin.get("/console/dashboard.csv", params={**PERIOD, "table": "handoffs"})
    with unit_of_work(console.factory) as session:
        carol = session.scalar(select(Clinician.id).where(Clinician.username == "carol"))
    events = _audit(console)
    assert [(action, target) for action, target, _, _ in events] == [
        ("dashboard.viewed", "page"), ("dashboard.exported", "handoffs"),
    ]
    assert all(details == PERIOD and actor == carol for _, _, actor, details in events)


def test_each_table_exports_as_csv(admin: httpx.Client) -> None:
    for name in TABLES:
        response = admin.get("/console/dashboard.csv", params={**PERIOD, "table": name})
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith("text/csv")
        assert f'filename="patientbot-{name}-2026-03-02-2026-03-10-day.csv"' in response.headers["content-disposition"]
        assert "PATIENT-SAID" not in response.text
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] and all(len(row) == len(rows[0]) for row in rows)
    handoffs = list(csv.reader(io.StringIO(admin.get("/console/dashboard.csv", params={**PERIOD, "table": "handoffs"}).text)))
    assert handoffs == [
        ["Reason", "Emergency", "Urgent", "Routine", "All"],
        ["emergency", "1", "0", "0", "1"],
        ["fallback", "0", "0", "1", "1"],
        ["request human", "0", "0", "1", "1"],
        ["All reasons", "1", "0", "2", "3"],
    ]
    weekly = admin.get("/console/dashboard.csv", params={**PERIOD, "group": "week", "table": "conversations"}).text
    assert weekly.splitlines()[1:] == ["week of 2026-03-02,0,2,0,2,1,50.0", "week of 2026-03-09,1,0,1,2,0,0.0"]
    assert admin.get("/console/dashboard.csv", params={**PERIOD, "table": "messages; drop"}).status_code == 404


def test_only_admins_and_never_anyone_logged_out(console: Console, admin: httpx.Client) -> None:
    clinician = console.login("alice")
    for path in ("/console/dashboard", "/console/dashboard.csv?table=summary"):
        refused = clinician.get(path)
        assert refused.status_code == 403 and "Only admins" in refused.text
        assert console.client().get(path).headers["location"] == "/console/login"
        assert console.client().get(path, headers={"accept": "application/json"}).status_code == 401
    assert 'href="/console/dashboard"' not in clinician.get("/console/").text
    assert _audit(console) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-03-10", "to": "2026-03-01"}, "must not be after"),
        ({"from": "last week"}, "must be a date"),
        ({"group": "month"}, "Group by"),
        ({"from": "2010-01-01", "to": "2026-01-01"}, "at most"),
    ],
)
def test_a_period_it_cannot_show_is_422_and_not_audited(
    console: Console, admin: httpx.Client, params: dict[str, str], message: str
) -> None:
    response = admin.get("/console/dashboard", params=params)
    assert response.status_code == 422 and message in response.text
    assert _audit(console) == []
