"""Served content at run time: the gateway's emergency and system messages, FAQ provenance.

Read from the content files themselves (the single source of truth), checked at
every lookup against today's date so that content past its review date stops
being served without a redeploy.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.content.loader import load_clinic, load_content
from bot.content.models import ContentEntry, ServedAnswer
from bot.content.render import serve
from bot.paths import CLINIC_FILE, CONTENT_DIR


class ContentNotServed(LookupError):
    """The entry does not exist, or is draft, retired or overdue for review."""


GENERAL_EMERGENCY = "general_emergency"


class ContentStore:
    def __init__(self, entries: list[ContentEntry], clinic: dict[str, Any]) -> None:
        self._entries = {(e.kind, e.id): e for e in entries}
        self.clinic = clinic

    @classmethod
    def from_files(cls, content_dir: Path = CONTENT_DIR, clinic_file: Path = CLINIC_FILE) -> ContentStore:
        entries, _defects = load_content(content_dir)
        return cls(entries, load_clinic(clinic_file))

    def _get(self, kind: str, entry_id: str, today: date | None = None) -> ServedAnswer:
        entry = self._entries.get((kind, entry_id))
        if entry is None or not entry.is_served(today or date.today()):
            raise ContentNotServed(f"{kind} content '{entry_id}' is not available as vetted content")
        return serve(entry, self.clinic)

    def faq(self, faq_id: str, today: date | None = None) -> ServedAnswer:
        return self._get("faq", faq_id, today)

    def emergency(
        self, category: str, today: date | None = None, language: str = "en"
    ) -> ServedAnswer:
        """Emergency guidance; if a category's entry is unavailable, the generic one still reaches the patient.

        In another language (`<category>_<language>`, e.g. heart_attack_es) when
        vetted content exists for it: first the category's, then the generic one
        in that language (a patient who cannot read English is better served by
        "call 911 now" in their language), then English.
        """
        ids = [category, GENERAL_EMERGENCY]
        if language != "en":
            ids = [f"{category}_{language}", f"{GENERAL_EMERGENCY}_{language}", *ids]
        for entry_id in ids[:-1]:
            if self.is_served("emergency", entry_id, today):
                return self._get("emergency", entry_id, today)
        return self._get("emergency", ids[-1], today)

    def system(self, message_id: str, today: date | None = None) -> ServedAnswer:
        return self._get("system", message_id, today)

    def faq_title(self, faq_id: str) -> str | None:
        """An FAQ's title whatever its status (feedback outlives a retired answer); None if unknown."""
        entry = self._entries.get(("faq", faq_id))
        return entry.title if entry is not None else None

    def entries(self) -> list[ContentEntry]:
        """Every entry loaded, whatever its status (the dashboard's review dates)."""
        return list(self._entries.values())

    def is_served(self, kind: str, entry_id: str, today: date | None = None) -> bool:
        entry = self._entries.get((kind, entry_id))
        return entry is not None and entry.is_served(today or date.today())


@lru_cache(maxsize=1)
def get_content_store() -> ContentStore:
    """The process-wide store, loaded once from the content files."""
    return ContentStore.from_files()
