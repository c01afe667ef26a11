"""Content files and entries that several test packages build (bulletins, dashboard, console)."""

from __future__ import annotations

from datetime import date

from bot.content.models import ContentEntry


def bulletin_yaml(bulletin_id: str, **overrides: str) -> str:
    blocks = {
        "id": f"id: {bulletin_id}",
        "title": "title: Flu shots are here",
        "status": "status: approved",
        "body": "body: >-\n  Get your flu shot. Call {clinic_phone}.",
        "sources": "sources:\n  - title: Key facts\n    publisher: CDC\n    url: https://www.cdc.gov/flu/",
        "reviewed_by": 'reviewed_by: "Dr. Test"',
        "reviewed_on": "reviewed_on: 2026-11-01",
        "topics": "topics: [flu_season]",
        "send_after": "send_after: 2026-11-02",
        "expires": "expires: 2027-03-01",
    }
    blocks.update(overrides)
    return "\n".join(v for v in blocks.values() if v) + "\n"


def entry(entry_id: str, due: date | None, status: str = "approved", kind: str = "faq") -> ContentEntry:
    return ContentEntry(
        kind=kind, id=entry_id, title=entry_id.title(), status=status, answer="", sources=(),
        reviewed_by="Dr Who", reviewed_on=date(2025, 1, 1), review_due=due,
    )
