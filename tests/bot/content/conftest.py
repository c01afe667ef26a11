"""Builders for content folders with deliberate defects."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.content.loader import load_clinic
from bot.paths import CLINIC_FILE

EXAMPLES = [f"question number {i} about the {{topic}}" for i in range(12)]


def faq_yaml(faq_id: str, *, topic: str | None = None, **overrides: str) -> str:
    """A valid FAQ file, with any top-level block replaced through overrides."""
    topic = topic or faq_id
    blocks = {
        "id": f"id: {faq_id}",
        "title": f"title: About {topic}",
        "status": "status: approved",
        "answer": "answer: >-\n  Call us on {clinic_phone}. This is a short, plain answer.",
        "sources": "sources:\n  - title: Page\n    publisher: NHS\n    url: https://www.nhs.uk/page/",
        "reviewed_by": 'reviewed_by: "Dr. Test"',
        "reviewed_on": "reviewed_on: 2026-01-10",
        "review_due": "review_due: 2027-01-10",
        "tags": "tags: [health]",
        "examples": "examples:\n" + "\n".join(f"  - {e.format(topic=topic)}" for e in EXAMPLES),
        "related": "related: []",
    }
    blocks.update(overrides)
    return "\n".join(v for v in blocks.values() if v) + "\n"


@pytest.fixture
def clinic() -> dict:
    return load_clinic(CLINIC_FILE)


@pytest.fixture
def content_dir(tmp_path: Path):
    """A writer: content_dir(files={"faq/a.yml": text}) -> the folder."""

    def _make(files: dict[str, str]) -> Path:
        root = tmp_path / "content"
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return _make
