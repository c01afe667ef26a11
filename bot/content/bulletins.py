"""Bulletins: health posts a clinic sends to patients who asked for them, vetted like FAQs.

A bulletin goes to many patients at once and nobody asks for it at the moment it
arrives, so it carries the same evidence as an answer (sources, reviewer, review
date) and two dates of its own: `send_after` (not before, e.g. the start of flu
season) and `expires` (after which it is stale advice and must not go out).
Its `topics` are what patients subscribe to; the list is fixed here so that a
typo in a file cannot create a topic nobody can subscribe to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.content.loader import ContentLoadError, as_date, parse_sources, read_mapping, text_of
from bot.content.models import STATUSES, Defect, Source
from bot.content.render import TEMPLATE_FIELDS, fill, placeholders, provenance, word_count

BULLETIN_DIR = "bulletin"
# Topic id -> what the patient sees on the button.
TOPICS: dict[str, str] = {
    "flu_season": "Flu season",
    "covid19": "COVID-19",
    "childrens_health": "Children's health",
    "clinic_news": "Clinic news",
}
REQUIRED = ("id", "title", "body", "sources", "reviewed_by", "reviewed_on", "status", "topics", "send_after", "expires")
MAX_BODY_WORDS = 200
_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


@dataclass(frozen=True)
class Bulletin:
    id: str
    title: str
    body: str
    sources: tuple[Source, ...]
    reviewed_by: str
    reviewed_on: date | None
    status: str
    topics: tuple[str, ...]
    send_after: date | None
    expires: date | None
    path: Path | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def why_not_sendable(self, today: date) -> str | None:
        """None if the bulletin may go out today, else the reason in a few words."""
        if self.status != "approved":
            return f"not approved (status {self.status or 'missing'})"
        if not self.reviewed_by or self.reviewed_on is None or not self.sources:
            return "no reviewer, review date or source"
        if self.send_after is None or self.send_after > today:
            return "not to be sent before its send_after date"
        if self.expires is None or self.expires < today:
            return "expired"
        return None


def load_bulletin(path: Path) -> Bulletin:
    raw, lines = read_mapping(path)
    topics = raw.get("topics") or []
    return Bulletin(
        id=text_of(raw.get("id")),
        title=text_of(raw.get("title")),
        body=" ".join(text_of(raw.get("body")).split()),
        sources=parse_sources(raw),
        reviewed_by=text_of(raw.get("reviewed_by")),
        reviewed_on=as_date(raw.get("reviewed_on")),
        status=text_of(raw.get("status")),
        topics=tuple(text_of(t) for t in topics if text_of(t)) if isinstance(topics, list) else (text_of(topics),),
        send_after=as_date(raw.get("send_after")),
        expires=as_date(raw.get("expires")),
        path=path,
        lines=lines,
    )


def load_bulletins(content_dir: Path) -> tuple[list[Bulletin], list[Defect]]:
    """Every data/content/bulletin/*.yml; unreadable files become defects."""
    folder = content_dir / BULLETIN_DIR
    bulletins: list[Bulletin] = []
    defects: list[Defect] = []
    if not folder.is_dir():
        return bulletins, defects
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yml", ".yaml"):
            continue
        try:
            bulletins.append(load_bulletin(path))
        except ContentLoadError as exc:
            defects.append(exc.defect)
    return bulletins, defects


def _check(bulletin: Bulletin, clinic: Mapping[str, Any], today: date) -> Iterable[Defect]:
    path = bulletin.path or Path("?")

    def at(key: str) -> int:
        return bulletin.lines.get(key, 1)

    for key in REQUIRED:
        if key not in bulletin.lines:
            yield Defect(path, 1, f"missing field '{key}'")
    if bulletin.id and not _ID.match(bulletin.id):
        yield Defect(path, at("id"), f"id '{bulletin.id}' must be lowercase letters, digits and underscores")
    if bulletin.id and path.stem != bulletin.id:
        yield Defect(path, at("id"), f"id '{bulletin.id}' does not match the file name '{path.stem}'")
    if bulletin.status and bulletin.status not in STATUSES:
        yield Defect(path, at("status"), f"status '{bulletin.status}' is not one of {', '.join(STATUSES)}")
    if "reviewed_by" in bulletin.lines and not bulletin.reviewed_by:
        yield Defect(path, at("reviewed_by"), "missing reviewer (reviewed_by is empty)")
    for key in ("reviewed_on", "send_after", "expires"):
        if key in bulletin.lines and getattr(bulletin, key) is None:
            yield Defect(path, at(key), f"{key} is not a date (YYYY-MM-DD)")
    if bulletin.reviewed_on and bulletin.reviewed_on > today:
        yield Defect(path, at("reviewed_on"), "reviewed_on is in the future")
    if bulletin.send_after and bulletin.expires and bulletin.expires <= bulletin.send_after:
        yield Defect(path, at("expires"), "expires must come after send_after")
    if bulletin.reviewed_on and bulletin.send_after and bulletin.send_after < bulletin.reviewed_on:
        yield Defect(path, at("send_after"), "send_after is before reviewed_on: it could go out unreviewed")
    if bulletin.expires and bulletin.expires < today and bulletin.status == "approved":
        yield Defect(path, at("expires"), f"expires {bulletin.expires.isoformat()} is in the past: the bulletin has expired and can no longer be sent")
    if "topics" in bulletin.lines and not bulletin.topics:
        yield Defect(path, at("topics"), "at least one topic is required")
    for topic in bulletin.topics:
        if topic not in TOPICS:
            yield Defect(path, at("topics"), f"unknown topic '{topic}' (known: {', '.join(TOPICS)})")
    yield from _check_body_and_sources(bulletin, clinic, path, at)


def _check_body_and_sources(bulletin: Bulletin, clinic: Mapping[str, Any], path: Path, at: Any) -> Iterable[Defect]:
    if "sources" in bulletin.lines and not bulletin.sources:
        yield Defect(path, at("sources"), "missing source: at least one is required")
    for source in bulletin.sources:
        if not (source.title and source.publisher and source.url):
            yield Defect(path, at("sources"), "each source needs title, publisher and url")
        elif not source.url.startswith("https://"):
            yield Defect(path, at("sources"), f"source url '{source.url}' is not an https address")
    if "body" in bulletin.lines and not bulletin.body:
        yield Defect(path, at("body"), "body is empty")
    for name in placeholders(bulletin.body):
        if name not in TEMPLATE_FIELDS:
            yield Defect(path, at("body"), f"unknown template field '{{{name}}}' (known: {', '.join(TEMPLATE_FIELDS)})")
        elif name not in clinic:
            yield Defect(path, at("body"), f"template field '{{{name}}}' is not set in the clinic profile")
    words = word_count(fill(bulletin.body, clinic))
    if words > MAX_BODY_WORDS:
        yield Defect(path, at("body"), f"body too long: {words} words (at most {MAX_BODY_WORDS})")


def validate_bulletins(bulletins: list[Bulletin], clinic: Mapping[str, Any], *, today: date) -> list[Defect]:
    """Every defect of the bulletins, with file and line, for `patientbot content validate`."""
    defects = [defect for bulletin in bulletins for defect in _check(bulletin, clinic, today)]
    seen: dict[str, Bulletin] = {}
    for bulletin in bulletins:
        if bulletin.id in seen:
            defects.append(
                Defect(bulletin.path or Path("?"), bulletin.lines.get("id", 1), f"duplicate id '{bulletin.id}' (also in {seen[bulletin.id].path})")
            )
        seen.setdefault(bulletin.id, bulletin)
    return defects


def render_bulletin(bulletin: Bulletin, clinic: Mapping[str, Any]) -> str:
    """Title, plain-language body and its provenance (the channel adds how to stop)."""
    evidence = provenance(bulletin.sources, bulletin.reviewed_by, bulletin.reviewed_on)
    return f"{bulletin.title}\n\n{fill(bulletin.body, clinic)}\n\n{evidence}"
