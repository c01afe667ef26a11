"""Debian's chromium driven by Playwright: one launch configuration for every browser test.

Playwright cannot download a browser here, so it drives /usr/bin/chromium (installed by
`make browser`). The flags keep chromium off the network: without them it tries to reach
Google's services at every start and the closed network refuses them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support import handoff

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless chromium for one test module (import this fixture into the module)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def screenshot(page: Page, name: str) -> Path:
    """Keep a full-page screenshot under artifacts/ (CI keeps it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/console/")  # redirected to the login form
    page.fill("#username", username)
    page.fill("#password", handoff.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/console/")
    page.wait_for_selector("body[data-live=ready]", state="attached", timeout=10_000)
