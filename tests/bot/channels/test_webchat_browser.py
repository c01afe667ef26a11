"""The web chat widget in a real browser: Debian's chromium driven by Playwright.

A whole conversation with the real model, quick replies used from the keyboard,
a reload that keeps the history, a phone-sized screen, patient text shown as
text, and screenshots kept under artifacts/ (CI keeps that folder).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bot.gateway.texts import system_text
from tests.support.browser import screenshot
from tests.support.fixtures import make_settings
from tests.support.questions import OFFERED_TITLE, UNSURE_QUESTION

pytestmark = pytest.mark.browser






def open_chat(page: Page) -> None:
    page.get_by_role("button", name="Open chat with PatientBot").click()
    expect(page.get_by_role("dialog", name="PatientBot")).to_be_visible()
    expect(page.get_by_label("Your message")).to_be_focused()


def wait_for_more(page: Page, selector: str, than: int, timeout_ms: int = 30_000) -> None:
    """Wait until the chat log holds more than `than` elements matching `selector` (a reply came)."""
    page.wait_for_function(
        "([selector, than]) => document.querySelectorAll('.pb-log ' + selector).length > than",
        arg=[selector, than],
        timeout=timeout_ms,
    )


def send(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.keyboard.press("Enter")


def open_chat_on_real_model(
    browser: Browser, serve_gateway: Callable[..., tuple[str, Any]], sqlite_url: str, real_rasa_url: str
) -> tuple[BrowserContext, Page, Any]:
    """A desktop-sized page on a gateway in front of the real model, with the chat open."""
    base_url, app = serve_gateway(make_settings(sqlite_url, real_rasa_url, rasa_timeout_s=10))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base_url + "/")
    open_chat(page)
    return context, page, app


def test_a_whole_conversation_survives_a_reload(
    browser: Browser,
    serve_gateway: Callable[..., tuple[str, Any]],
    sqlite_url: str,
    real_rasa_url: str,
) -> None:
    context, page, app = open_chat_on_real_model(browser, serve_gateway, sqlite_url, real_rasa_url)
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_have_attribute("aria-live", "polite")

    send(page, "hello")
    expect(log.locator(".pb-patient")).to_have_text(["You: hello"])
    expect(log.locator(".pb-system").first).to_contain_text(
        system_text("first_contact_notice")[:40]
    )
    wait_for_more(page, ".pb-bot", 0)

    answered = log.locator(".pb-bot").count()
    send(page, "what are your opening hours?")
    expect(log.locator(".pb-patient")).to_have_count(2)
    wait_for_more(page, ".pb-bot", answered)

    # A clinician's reply with quick replies arrives live; the patient answers from the keyboard.
    gateway = app.state.gateway
    conversation_id = (
        gateway.run_in_loop(gateway.require_router().history("webchat", _external_id(page)))
        .result(10)[0]
        .conversation_id
    )
    gateway.run_in_loop(
        gateway.require_router().deliver(
            conversation_id,
            "Is it better today?",
            buttons=[{"title": "Yes, better"}, {"title": "No, worse"}],
        )
    ).result(10)
    expect(log.locator(".pb-clinician")).to_have_text(["Clinician: Is it better today?"])
    replies = page.get_by_role("group", name="Quick replies")
    expect(replies.get_by_role("button")).to_have_text(["Yes, better", "No, worse"])
    replies.get_by_role("button", name="No, worse").focus()
    page.keyboard.press("Enter")
    expect(log.locator(".pb-patient").last).to_have_text("You: No, worse")
    expect(replies.get_by_role("button")).to_have_count(0)
    screenshot(page, "webchat-conversation.png")

    count = log.locator(".pb-msg").count()
    texts = log.locator(".pb-msg").all_inner_texts()
    page.reload()
    expect(page.get_by_role("dialog", name="PatientBot")).to_be_visible()  # stays open
    expect(log.locator(".pb-msg")).to_have_count(count)
    assert log.locator(".pb-msg").all_inner_texts() == texts
    screenshot(page, "webchat-after-reload.png")

    # Keyboard: Escape closes and gives focus back to the bubble.
    page.get_by_label("Your message").focus()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="PatientBot")).to_be_hidden()
    expect(page.get_by_role("button", name="Open chat with PatientBot")).to_be_focused()
    expect(page.get_by_role("button", name="Open chat with PatientBot")).to_have_attribute(
        "aria-expanded", "false"
    )
    context.close()


def test_did_you_mean_offer_press_and_answer(
    browser: Browser,
    serve_gateway: Callable[..., tuple[str, Any]],
    sqlite_url: str,
    real_rasa_url: str,
) -> None:
    """An unsure question offers the likeliest FAQs; pressing one gives its vetted answer, sources and feedback."""
    context, page, app = open_chat_on_real_model(browser, serve_gateway, sqlite_url, real_rasa_url)
    log = page.get_by_role("log", name="Conversation")

    send(page, UNSURE_QUESTION)
    replies = page.get_by_role("group", name="Quick replies")
    expect(replies.get_by_role("button").last).to_have_text("None of these", timeout=30_000)
    offered = replies.get_by_role("button").all_inner_texts()
    assert OFFERED_TITLE in offered and 2 <= len(offered) <= 4
    expect(log.locator(".pb-bot").last).to_contain_text("Did you mean")
    screenshot(page, "webchat-did-you-mean.png")

    answered = log.locator(".pb-bot").count()
    replies.get_by_role("button", name=OFFERED_TITLE).click()
    expect(log.locator(".pb-patient").last).to_have_text(f"You: {OFFERED_TITLE}")
    wait_for_more(page, ".pb-bot", answered)
    answer = log.locator(".pb-bot").last
    expect(answer).to_contain_text("Source:")
    expect(answer).to_contain_text("Reviewed by")
    expect(replies.get_by_role("button")).to_have_text(["Helpful", "Not helpful"])

    # Stored against the conversation: what was offered, and what the patient chose.
    gateway = app.state.gateway
    history = gateway.run_in_loop(gateway.require_router().history("webchat", _external_id(page))).result(10)
    assert any(m.sender == "patient" and m.text == OFFERED_TITLE for m in history)
    context.close()


def _external_id(page: Page) -> str:
    from bot.gateway.conversations import hash_token

    return hash_token(page.evaluate("window.localStorage.getItem('patientbot.token')"))


def test_phone_screen_keyboard_only_and_text_never_html(
    browser: Browser,
    serve_gateway: Callable[..., tuple[str, Any]],
    sqlite_url: str,
    mini_rasa_url: str,
) -> None:
    base_url, _app = serve_gateway(make_settings(sqlite_url, mini_rasa_url))
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(base_url + "/")

    # Keyboard only: Tab to the bubble, Enter opens, focus lands in the labelled input.
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Open chat with PatientBot")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your message")).to_be_focused()
    dialog = page.get_by_role("dialog", name="PatientBot")
    box = dialog.bounding_box()
    assert (
        box is not None and box["width"] == 375 and box["height"] == 667
    )  # full screen on a phone

    hostile = '<img src=x onerror="window.__pwned=1">'
    page.keyboard.type(hostile)
    page.keyboard.press("Enter")
    log = page.get_by_role("log", name="Conversation")
    expect(log.locator(".pb-patient")).to_have_text([f"You: {hostile}"])
    assert page.evaluate("window.__pwned === undefined")
    assert log.locator("img").count() == 0

    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    replies = page.get_by_role("group", name="Quick replies")
    expect(replies.get_by_role("button")).to_have_text(["Opening hours", "What can you do?"])
    page.keyboard.press("Tab")  # from the input to the send button...
    expect(page.get_by_role("button", name="Send message")).to_be_focused()
    replies.get_by_role("button", name="Opening hours").focus()
    page.keyboard.press("Space")
    expect(log.locator(".pb-bot").last).to_have_text("PatientBot: We are open Monday to Friday.")

    page.get_by_label("Your message").fill("x" * 1999 + "yz")
    assert (
        len(page.get_by_label("Your message").input_value()) == 2000
    )  # the field stops at the limit
    screenshot(page, "webchat-phone.png")
    context.close()
