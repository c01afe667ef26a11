"""axe-core (from the npm registry, package.json) run inside a Playwright page: WCAG 2.2 AA checks.

The console's CSP forbids inline and foreign scripts, so axe is not added as a
<script> tag: Playwright evaluates its source through the DevTools protocol,
which page CSPs do not govern, and the page itself stays exactly as served.
`make browser` installs it (npm ci).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


def axe_violations(page: Page, tags: tuple[str, ...] = WCAG_22_AA) -> list[dict[str, Any]]:
    """axe's violations of `tags` on the page as it is now (an empty list passes)."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is not installed ({AXE_JS}): run `make browser` (npm ci)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        list(tags),
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per failing element, for an assertion message."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} ({violation['impact']}): {node['target']} {node.get('failureSummary', '')!r}")
    return "\n".join(lines)
