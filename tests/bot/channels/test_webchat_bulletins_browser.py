"""The widget's Health tips in a real browser: a topic turned on, then the bulletin shown on the next open."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from bot.bulletins import outbox
from bot.bulletins.models import Subscription
from bot.bulletins.subscriptions import topics_of
from bot.content.bulletins import load_bulletins
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from tests.bot.channels.test_webchat_bulletins import content  # noqa: F401 - fixture
from tests.support.fixtures import CLOSED_PORT_URL, make_settings
from tests.support.servers import wait_until

pytestmark = pytest.mark.browser


def test_health_tips_then_the_bulletin_on_the_next_open(
    browser: Browser, serve_gateway: Callable[..., tuple[str, Any]], sqlite_url: str, content: Path  # noqa: F811
) -> None:
    base_url, app = serve_gateway(make_settings(sqlite_url, CLOSED_PORT_URL))
    factory = app.state.gateway.session_factory
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base_url + "/")
    page.get_by_role("button", name="Open chat with PatientBot").click()
    page.get_by_role("button", name="Health tips").click()
    expect(page.get_by_text("by turning a topic on you agree that")).to_be_visible()
    page.get_by_label("Flu season").check()

    def subscribed() -> list[str] | None:
        with unit_of_work(factory) as session:
            rows = session.query(Subscription.external_id).filter_by(channel="webchat").all()
            return [r[0] for r in rows] or None

    [external_id] = wait_until(subscribed, 10, message="no web chat subscription stored")
    with unit_of_work(factory) as session:
        assert topics_of(session=session, channel="webchat", external_id=external_id) == ["flu_season"]
        outbox.queue_send(session=session, bulletin=load_bulletins(content)[0][0], topics=["flu_season"],
                          channels=["webchat"], created_by=None, now=utcnow())

    page.get_by_role("button", name="Close chat").click()
    page.get_by_role("button", name="Open chat with PatientBot").click()
    bulletin = page.locator(".pb-bulletin")
    expect(bulletin).to_have_count(1)
    expect(bulletin).to_contain_text("Flu shots are here")
    expect(bulletin).to_contain_text('choose "Health tips" in the chat menu and turn the topic off.')
    # Shown once: the next open adds nothing.
    page.get_by_role("button", name="Close chat").click()
    page.get_by_role("button", name="Open chat with PatientBot").click()
    page.wait_for_timeout(500)
    expect(page.locator(".pb-bulletin")).to_have_count(1)
    context.close()
