"""An admin reads the dashboard in a real browser (Debian's chromium via Playwright).

The plots must be there with their text alternatives (an accessible name from
<title>, a description from <desc>, and a data table with a caption below each),
the CSV links must download, the period form must regroup by week, and axe-core
must find no WCAG 2.2 AA violation. The page must run under the console's CSP
without an error (an inline style or script would be refused and reported).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from bot.db.base import utcnow
from bot.db.session import unit_of_work
from tests.bot.console.conftest import Console
from tests.support.axe import axe_violations, describe
from tests.support.browser import screenshot
from tests.support.handoff import PASSWORD, make_clinician
from tests.support.seed import PATIENT_MARK, seed_conversations

pytestmark = pytest.mark.browser

CHARTS = {
    "Conversations over time, by channel": "conversations",
    "The answer mix over time": "answers",
    "Requests for a clinician over time": "handoffs_over_time",
    "The wait-time distribution": "wait_distribution",
}


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/console/")


def test_an_admin_reads_the_dashboard_with_its_text_alternatives(console: Console, browser: Browser) -> None:
    with unit_of_work(console.factory) as session:
        admin = make_clinician(session, "carol", role="admin")
        seed_conversations(session=session, count=400, end=utcnow(), days=28, seed=3, clinician_id=admin.id)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        _log_in(page, console.url, "carol")
        page.get_by_role("link", name="Dashboard").click()
        page.wait_for_url(f"{console.url}/console/dashboard")
        assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
        assert PATIENT_MARK not in page.content()

        for name, table in CHARTS.items():
            plot = page.get_by_role("img", name=name)
            assert plot.count() == 1 and plot.is_visible()
            description = plot.evaluate("svg => svg.querySelector('desc').textContent")
            assert "Totals:" in description and description.endswith("Every value is in the table below.")
            assert plot.get_attribute("data-table") == table
            assert plot.locator("rect title").count() > 0  # bars, each with its value
            rows = page.locator(f"#table-{table} tbody tr")
            assert rows.count() > 0 and page.locator(f"#table-{table} caption").is_visible()
        conversations = page.get_by_role("table", name="Conversations started per day, by channel, and how many ended without a clinician")
        assert conversations.locator("tbody tr").count() == 30
        summary = page.get_by_role("table", name="The period at a glance")
        assert "Containment (ended without a handoff)" in summary.inner_text()

        with page.expect_download() as download:
            page.get_by_role("link", name="CSV: Requests for a clinician, by reason and priority").click()
        text = download.value.path().read_text(encoding="utf-8")
        assert text.startswith("Reason,Emergency,Urgent,Routine,All")
        assert PATIENT_MARK not in text

        violations = axe_violations(page)
        screenshot(page, "console-dashboard.png")
        assert violations == [], describe(violations)

        page.select_option("#group", "week")
        page.click("form.period button[type=submit]")
        page.wait_for_url("**/console/dashboard?*group=week*")
        first = page.locator("#table-conversations tbody tr th").first.inner_text()
        assert first.startswith("week of ")
        assert page.get_by_role("img", name="Conversations over time, by channel").is_visible()
        assert problems == []
    finally:
        context.close()
