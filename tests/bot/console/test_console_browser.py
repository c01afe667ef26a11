"""A clinician in a real browser (Debian's chromium via Playwright): live queue, claim, reply.

The handoff arrives through the real handoff API while the page is open; the
test proves the page did not reload (a marker set on `window` survives).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from bot.db.session import unit_of_work
from bot.handoff import service
from tests.bot.console.conftest import Console
from tests.support.browser import ARTIFACTS, log_in
from tests.support.handoff import add_message, make_conversation

pytestmark = pytest.mark.browser

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


def test_a_clinician_sees_a_handoff_arrive_claims_and_replies(console: Console, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    try:
        log_in(page, console.url, "alice")
        assert "Nobody is waiting." in page.inner_text("#queue")
        page.evaluate("window.__notReloaded = true")

        with unit_of_work(console.factory) as s:
            conv = make_conversation(s).id
            add_message(s, conv, "patient", XSS, meta={"intent": {"name": "request_human", "confidence": 0.91}})
        hid = console.open_handoff(conv, priority="urgent", summary={"questions": [XSS]})["handoff_id"]

        row = page.locator(f'tr[data-handoff-id="{hid}"]')
        row.wait_for(timeout=10_000)
        assert page.evaluate("window.__notReloaded") is True  # it arrived live
        assert XSS in row.inner_text()  # shown as text
        assert "urgent" in row.inner_text().lower()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "console-queue.png"), full_page=True)

        row.get_by_role("button", name="Claim").click()
        page.wait_for_url(f"{console.url}/console/handoffs/{hid}")
        assert page.inner_text("#status") == "claimed"
        assert XSS in page.inner_text("#transcript")
        assert "intent request_human (0.91)" in page.inner_text("#transcript")

        page.select_option("#canned", "greeting")
        assert page.input_value("#reply").startswith("Hello, I'm a clinician")
        page.fill("#reply", "Hello, this is Dr Alice. How can I help?")
        page.click("#reply-form button[type=submit]")
        page.wait_for_url(f"{console.url}/console/handoffs/{hid}")
        page.locator("#transcript li.from-clinician", has_text="Dr Alice").wait_for()
        assert console.deliver.sent[-1]["text"] == "Hello, this is Dr Alice. How can I help?"

        # The patient answers: the transcript grows without a reload.
        page.evaluate("window.__notReloaded = true")
        with unit_of_work(console.factory) as s:
            message = add_message(s, conv, "patient", "It started yesterday <b>evening</b>.")
            service.note_message(session=s, message=message)
        page.locator("#transcript li.from-patient", has_text="It started yesterday <b>evening</b>.").wait_for(timeout=10_000)
        assert page.evaluate("window.__notReloaded") is True

        page.screenshot(path=str(ARTIFACTS / "console-handoff.png"), full_page=True)
        assert page.evaluate("window.__xss") is None
        assert problems == []
    finally:
        context.close()
