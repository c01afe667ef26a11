"""A clinician works the inbox in a real browser (Debian's chromium via Playwright) and a reviewer approves.

Unanswered questions, as the gateway stores them, are collected into the
inbox; alice opens it from the menu, opens the largest group, proposes its
questions (redacted, then edited) as examples of the nearest FAQ; bob, a
reviewer, approves it and the content file in a temporary copy of
data/content gains the lines; carol (admin) sees the publish button. Every
page passes axe-core at WCAG 2.2 AA and runs under the console's CSP
without a console error.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from bot.console.content_paths import clinic_file_dep, content_dir_dep
from bot.content.loader import load_file
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.handoff.clinicians import set_reviewer
from bot.inbox.collect import collect
from tests.bot.console.conftest import Console
from tests.support.axe import axe_violations, describe
from tests.support.browser import log_in, screenshot
from tests.support.handoff import make_clinician
from tests.support.inbox import Talk, content_copy, encoder, faqs  # noqa: F401

pytestmark = pytest.mark.browser

PARKING = ["where can i park my car, ring me on 07700 900123", "is parking free at the clinic",
           "how much does parking cost"]


def _watch(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _accessible(page: Page, name: str) -> None:
    violations = axe_violations(page)
    screenshot(page, name)
    assert violations == [], describe(violations)


def test_inbox_to_an_approved_proposal(console: Console, browser: Browser, tmp_path: Path, encoder, faqs) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    content, clinic = content_copy(tmp_path)
    console.app.state.inbox_collector = None
    console.app.dependency_overrides[content_dir_dep] = lambda: content
    console.app.dependency_overrides[clinic_file_dep] = lambda: clinic
    now = utcnow()
    with unit_of_work(console.factory) as session:
        for i, text in enumerate(PARKING):
            Talk(session, now - timedelta(hours=3, minutes=-i)).rephrase(text)
        Talk(session, now - timedelta(hours=2)).clinician_offer("what is the wifi password")
        collect(session=session, encoder=encoder, faqs=faqs, now=now)
        make_clinician(session, "carol", role="admin")
        set_reviewer(session=session, username="bob", reviewer=True)

    alice = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = _watch(alice)
    log_in(alice, console.url, "alice")
    alice.get_by_role("link", name="Unanswered questions").click()
    alice.wait_for_url(f"{console.url}/console/inbox")
    assert alice.locator("#inbox-total").inner_text().startswith("4 questions in 2 groups")
    groups = alice.get_by_role("table", name="Groups of similar questions, largest first")
    assert groups.locator("tbody tr").count() == 2
    assert "Parking and getting here" in groups.locator("tbody tr").first.inner_text()
    _accessible(alice, "console-inbox.png")

    groups.locator("tbody tr").first.get_by_role("link").click()
    assert alice.get_by_role("heading", level=1).inner_text().endswith("3 questions")
    assert alice.get_by_role("checkbox").count() == 3
    _accessible(alice, "console-inbox-group.png")

    alice.get_by_role("button", name="Propose the chosen questions…").click()
    texts = alice.get_by_label("Questions, one per line")
    assert "07700" not in texts.input_value() and "[phone]" in texts.input_value()
    _accessible(alice, "console-inbox-propose.png")
    texts.fill("where can i park my car\nis parking free at the clinic\nhow much does parking cost")
    alice.get_by_label("an example question of an FAQ").check()
    assert alice.get_by_label("FAQ (for an example or a not_answered question)").input_value() == "parking_and_transport"
    alice.get_by_role("button", name="Send for review").click()
    alice.wait_for_url(f"{console.url}/console/proposals")
    row = alice.get_by_role("table", name="Proposals, waiting ones first").locator("tbody tr").first
    assert "pending" in row.inner_text() and "yours: another reviewer decides" in row.inner_text()
    _accessible(alice, "console-proposals.png")

    bob = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems += _watch(bob)
    log_in(bob, console.url, "bob")
    bob.goto(f"{console.url}/console/proposals")
    bob.get_by_role("button", name="Approve").click()
    bob.wait_for_url(f"{console.url}/console/proposals")
    assert "approved" in bob.get_by_role("table", name="Proposals, waiting ones first").inner_text()
    entry, _ = load_file(content / "faq" / "parking_and_transport.yml", "faq")
    assert entry.examples[-3:] == ("where can i park my car", "is parking free at the clinic", "how much does parking cost")

    carol = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems += _watch(carol)
    log_in(carol, console.url, "carol")
    carol.goto(f"{console.url}/console/proposals")
    assert carol.get_by_role("button", name="Rebuild, retrain if needed, and roll out").is_visible()
    _accessible(carol, "console-proposals-admin.png")
    alice.goto(f"{console.url}/console/inbox")
    assert alice.locator("#inbox-total").inner_text().startswith("1 question in 1 group")
    assert problems == []
