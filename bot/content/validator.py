"""Every way a content file can be unfit to serve, reported with its file and line."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.content.hours import HoursError, parse_hours
from bot.content.loader import load_content
from bot.content.models import STATUSES, ContentEntry, Defect
from bot.content.render import MAX_ANSWER_WORDS, TEMPLATE_FIELDS, fill, placeholders, word_count

RESPONSE_PATTERN = re.compile(r"^utter_[a-z0-9_]+$")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
MIN_EXAMPLES = 8
REQUIRED = ("id", "title", "status", "answer", "reviewed_by", "reviewed_on", "review_due")
NEEDS_SOURCES = ("faq", "emergency")


def normalise_question(text: str) -> str:
    """Case- and punctuation-insensitive form, to find the same question under two FAQs."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _line(entry: ContentEntry, key: str) -> int:
    return entry.lines.get(key, 1)


def _check_fields(entry: ContentEntry, today: date) -> Iterable[Defect]:
    path = entry.path or Path("?")
    for key in REQUIRED:
        if key not in entry.lines:
            yield Defect(path, 1, f"missing field '{key}'")
    if entry.id and not ID_PATTERN.match(entry.id):
        yield Defect(path, _line(entry, "id"), f"id '{entry.id}' must be lowercase letters, digits and underscores")
    if entry.id and path.stem != entry.id:
        yield Defect(path, _line(entry, "id"), f"id '{entry.id}' does not match the file name '{path.stem}'")
    if entry.status and entry.status not in STATUSES:
        yield Defect(path, _line(entry, "status"), f"status '{entry.status}' is not one of {', '.join(STATUSES)}")
    if "reviewed_by" in entry.lines and not entry.reviewed_by:
        yield Defect(path, _line(entry, "reviewed_by"), "missing reviewer (reviewed_by is empty)")
    if "reviewed_on" in entry.lines and entry.reviewed_on is None:
        yield Defect(path, _line(entry, "reviewed_on"), "reviewed_on is not a date (YYYY-MM-DD)")
    if "review_due" in entry.lines and entry.review_due is None:
        yield Defect(path, _line(entry, "review_due"), "review_due is not a date (YYYY-MM-DD)")
    if entry.reviewed_on and entry.reviewed_on > today:
        yield Defect(path, _line(entry, "reviewed_on"), "reviewed_on is in the future")
    if entry.review_due and entry.review_due < today and entry.status == "approved":
        yield Defect(
            path,
            _line(entry, "review_due"),
            f"review_due {entry.review_due.isoformat()} is in the past: the answer has expired and will not be served",
        )
    if entry.reviewed_on and entry.review_due and entry.review_due <= entry.reviewed_on:
        yield Defect(path, _line(entry, "review_due"), "review_due must come after reviewed_on")


def _check_sources(entry: ContentEntry) -> Iterable[Defect]:
    path = entry.path or Path("?")
    if entry.kind not in NEEDS_SOURCES:
        return
    if not entry.sources:
        yield Defect(path, _line(entry, "sources") if "sources" in entry.lines else 1, "missing source: at least one is required")
    for source in entry.sources:
        line = _line(entry, "sources")
        if not (source.title and source.publisher and source.url):
            yield Defect(path, line, "each source needs title, publisher and url")
        elif not source.url.startswith(("https://", "http://")):
            yield Defect(path, line, f"source url '{source.url}' is not an http(s) address")


def _check_answer(entry: ContentEntry, clinic: Mapping[str, Any]) -> Iterable[Defect]:
    path = entry.path or Path("?")
    line = _line(entry, "answer")
    for name in placeholders(entry.answer):
        if name in entry.variables:
            continue
        if name not in TEMPLATE_FIELDS:
            yield Defect(path, line, f"unknown template field '{{{name}}}' (known: {', '.join(TEMPLATE_FIELDS)})")
        elif name not in clinic:
            yield Defect(path, line, f"template field '{{{name}}}' is not set in the clinic profile")
    words = word_count(fill(entry.answer, clinic))
    if words > MAX_ANSWER_WORDS:
        yield Defect(path, line, f"answer too long: {words} words (at most {MAX_ANSWER_WORDS})")
    if entry.kind == "emergency" and "{emergency_number}" not in entry.answer and "{crisis_line}" not in entry.answer:
        yield Defect(path, line, "emergency guidance must name {emergency_number} or {crisis_line}")


def _check_response(entry: ContentEntry) -> Iterable[Defect]:
    path = entry.path or Path("?")
    if entry.response is not None and not RESPONSE_PATTERN.match(entry.response):
        yield Defect(path, _line(entry, "response"), f"response '{entry.response}' must look like utter_<name>")
    for title, payload in entry.buttons:
        if not title or not payload:
            yield Defect(path, _line(entry, "buttons"), "each button needs a title and a payload")


def _check_examples(entry: ContentEntry) -> Iterable[Defect]:
    path = entry.path or Path("?")
    if entry.kind != "faq":
        return
    if len(entry.examples) < MIN_EXAMPLES:
        yield Defect(
            path,
            _line(entry, "examples") if "examples" in entry.lines else 1,
            f"{len(entry.examples)} example questions; at least {MIN_EXAMPLES} are needed",
        )


def validate_entries(
    entries: list[ContentEntry], clinic: Mapping[str, Any], *, today: date
) -> list[Defect]:
    """All defects of a set of entries, including those only visible across files."""
    defects: list[Defect] = []
    for entry in entries:
        defects.extend(_check_fields(entry, today))
        defects.extend(_check_sources(entry))
        defects.extend(_check_answer(entry, clinic))
        defects.extend(_check_examples(entry))
        defects.extend(_check_response(entry))

    seen_ids: dict[tuple[str, str], ContentEntry] = {}
    for entry in entries:
        key = (entry.kind, entry.id)
        if entry.id and key in seen_ids:
            first = seen_ids[key]
            defects.append(
                Defect(entry.path or Path("?"), _line(entry, "id"), f"duplicate id '{entry.id}' (also in {first.path})")
            )
        else:
            seen_ids[key] = entry

    faq_ids = {e.id for e in entries if e.kind == "faq"}
    for entry in entries:
        if entry.kind != "faq":
            continue
        for related in entry.related:
            if related not in faq_ids:
                defects.append(Defect(entry.path or Path("?"), _line(entry, "related"), f"related id '{related}' does not exist"))
    defects.extend(_check_questions_across_faqs(entries))
    return sorted(defects, key=lambda d: (str(d.path), d.line, d.message))


_EXAMPLE, _NOT_ANSWERED = "example question", "not_answered question"


@dataclass(frozen=True)
class _Question:
    entry: ContentEntry
    text: str
    line: int
    role: str


def _questions(entry: ContentEntry) -> Iterable[_Question]:
    for role, texts, lines, key in (
        (_EXAMPLE, entry.examples, entry.example_lines, "examples"),
        (_NOT_ANSWERED, entry.not_answered, entry.not_answered_lines, "not_answered"),
    ):
        for index, text in enumerate(texts):
            yield _Question(entry, text, lines[index] if index < len(lines) else _line(entry, key), role)


def _check_questions_across_faqs(entries: list[ContentEntry]) -> list[Defect]:
    """One question, one meaning: the same text twice would teach the model two things.

    An example question under two FAQs, or one that is both an example and a
    `not_answered` question, leaves the model to guess (and the evaluation to count
    the same answer right and wrong); a `not_answered` question listed twice would be
    counted twice by the evaluation.
    """
    defects: list[Defect] = []
    places: dict[str, list[_Question]] = defaultdict(list)
    for entry in entries:
        if entry.kind != "faq":
            if entry.not_answered:
                defects.append(
                    Defect(entry.path or Path("?"), _line(entry, "not_answered"), "not_answered applies to FAQs only")
                )
            continue
        for question in _questions(entry):
            key = normalise_question(question.text)
            if not key:
                defects.append(Defect(entry.path or Path("?"), question.line, f"empty {question.role}"))
                continue
            places[key].append(question)
    for text, found in places.items():
        for question in found[1:]:
            defects.append(Defect(question.entry.path or Path("?"), question.line, _clash(text, question, found)))
    return defects


def _clash(text: str, question: _Question, found: list[_Question]) -> str:
    others = [q for q in found if q is not question]
    if all(q.entry.id == question.entry.id and q.role == question.role for q in others):
        return f"{question.role} '{text}' appears twice in this FAQ"
    if any(q.role != question.role for q in others):
        where = ", ".join(sorted({f"{q.role} in {q.entry.path}" for q in others if q.role != question.role}))
        return f"'{text}' is both an example question and a not_answered question ({where})"
    where = ", ".join(sorted({str(q.entry.path) for q in others if q.entry is not question.entry}))
    return f"{question.role} '{text}' also appears under another FAQ ({where})"


def validate_dir(content_dir: Path, clinic: Mapping[str, Any], *, today: date) -> tuple[list[ContentEntry], list[Defect]]:
    """Load and validate a content folder; unreadable files are defects too."""
    entries, defects = load_content(content_dir)
    defects.extend(validate_entries(entries, clinic, today=today))
    return entries, sorted(defects, key=lambda d: (str(d.path), d.line, d.message))


def validate_clinic(path: Path, clinic: Mapping[str, Any]) -> list[Defect]:
    """The profile's machine-readable hours: a typo must not leave the clinic "always open" for handoffs."""
    try:
        parse_hours(clinic)
    except HoursError as exc:
        return [Defect(path, _key_line(path, exc.key), f"clinic profile: {exc}")]
    return []


def _key_line(path: Path, key: str) -> int:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    return next((n for n, line in enumerate(lines, 1) if line.startswith(f"{key}:")), 1)
