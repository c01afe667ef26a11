"""The bulletins page in a real browser: choose, count, send, watch progress; no CSP error, axe clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.bot.console.conftest import Console
from tests.bot.console.test_bulletins_http import admin, telegram  # noqa: F401 - fixtures
from tests.support.axe import axe_violations, describe
from tests.support.browser import screenshot
from tests.support.handoff import PASSWORD

pytestmark = pytest.mark.browser


def test_an_admin_sends_a_bulletin_and_watches_it_go(
    console: Console, browser: Browser, admin, telegram  # noqa: F811
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{console.url}/console/login")
        page.fill("#username", "carol")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{console.url}/console/")
        page.get_by_role("link", name="Bulletins").click()
        page.select_option("#bulletin", "flu")
        page.get_by_role("button", name="Count the audience").click()
        expect(page.locator("#reach")).to_have_text("It will reach 5 subscribers.")
        violations = axe_violations(page)
        screenshot(page, "console-bulletins.png")
        assert violations == [], describe(violations)

        page.get_by_role("button", name="Send to 5").click()
        page.wait_for_url("**/console/bulletins/sends/*")
        expect(page.locator("#sent")).to_have_text("4", timeout=15_000)  # the page refreshes itself
        expect(page.locator("#unsubscribed")).to_have_text("1")
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        assert problems == []
    finally:
        context.close()
