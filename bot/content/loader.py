"""Read content files with line numbers, so every defect can point at its line."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, cast

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from bot.content.models import KINDS, ContentEntry, Defect, Source

_KIND_DIRS = {"faq": "faq", "emergency": "emergency", "system": "system"}


class ContentLoadError(Exception):
    """A file that cannot be read as content at all (bad YAML, not a mapping)."""

    def __init__(self, defect: Defect) -> None:
        super().__init__(str(defect))
        self.defect = defect


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def text_of(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _questions(raw: dict[str, Any], key: str, lines: dict[str, int]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """A list of questions under `key` and the 1-based line of each (the key's line if unknown)."""
    items = raw.get(key) or []
    if isinstance(items, str):  # one question written without the list dash
        return (text_of(items),), (lines.get(key, 1),)
    if not isinstance(items, list):
        return (), ()
    item_lines = tuple(
        items.lc.item(i)[0] + 1 if hasattr(items, "lc") else lines.get(key, 1) for i in range(len(items))
    )
    return tuple(text_of(item) for item in items), item_lines


def read_mapping(path: Path) -> tuple[CommentedMap, dict[str, int]]:
    """A content file's top-level mapping and the 1-based line of each key; ContentLoadError if unreadable."""
    try:
        with path.open(encoding="utf-8") as handle:
            raw = _yaml().load(handle)
    except UnicodeDecodeError as exc:
        raise ContentLoadError(Defect(path, 1, f"not UTF-8 text ({exc.reason})")) from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentLoadError(Defect(path, line, f"invalid YAML: {problem}")) from exc
    if not isinstance(raw, dict):
        raise ContentLoadError(Defect(path, 1, "expected a mapping of fields (id, title, answer, ...)"))
    # The round-trip loader returns a CommentedMap, which carries line numbers.
    lines = {str(key): cast(CommentedMap, raw).lc.key(key)[0] + 1 for key in raw}
    return cast(CommentedMap, raw), lines


def parse_sources(raw: dict[str, Any]) -> tuple[Source, ...]:
    """The `sources` list as Source records; malformed items are left for the validator."""
    sources = []
    for item in raw.get("sources") or []:
        if isinstance(item, dict):
            sources.append(
                Source(
                    title=text_of(item.get("title")),
                    publisher=text_of(item.get("publisher")),
                    url=text_of(item.get("url")),
                )
            )
    return tuple(sources)


def load_file(path: Path, kind: str) -> tuple[ContentEntry, dict[str, Any]]:
    """Parse one content file; returns the entry and the raw mapping (for the validator)."""
    raw, lines = read_mapping(path)
    examples, example_lines = _questions(raw, "examples", lines)
    not_answered, not_answered_lines = _questions(raw, "not_answered", lines)
    entry = ContentEntry(
        kind=kind,
        id=text_of(raw.get("id")),
        title=text_of(raw.get("title")),
        status=text_of(raw.get("status")),
        answer=" ".join(text_of(raw.get("answer")).split()),
        sources=parse_sources(raw),
        reviewed_by=text_of(raw.get("reviewed_by")),
        reviewed_on=as_date(raw.get("reviewed_on")),
        review_due=as_date(raw.get("review_due")),
        tags=tuple(text_of(t) for t in raw.get("tags") or [] if text_of(t)),
        examples=examples,
        not_answered=not_answered,
        related=tuple(text_of(r) for r in raw.get("related") or [] if text_of(r)),
        myth=bool(raw.get("myth", False)),
        response=text_of(raw.get("response")) or None,
        buttons=tuple(
            (text_of(b.get("title")), text_of(b.get("payload")))
            for b in raw.get("buttons") or []
            if isinstance(b, dict)
        ),
        variables=tuple(text_of(v) for v in raw.get("variables") or []),
        rest_point=bool(raw.get("rest_point", False)),
        not_understood=bool(raw.get("not_understood", False)),
        path=path,
        lines=lines,
        example_lines=example_lines,
        not_answered_lines=not_answered_lines,
    )
    return entry, dict(raw)


def content_files(content_dir: Path) -> Iterable[tuple[Path, str]]:
    """Every content file below content_dir with its kind, in a stable order."""
    for kind in KINDS:
        folder = content_dir / _KIND_DIRS[kind]
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in (".yml", ".yaml"):
                    yield path, kind


def load_content(content_dir: Path) -> tuple[list[ContentEntry], list[Defect]]:
    """Load every file; files that cannot be parsed become defects instead of exceptions."""
    entries: list[ContentEntry] = []
    defects: list[Defect] = []
    for path, kind in content_files(content_dir):
        try:
            entry, _ = load_file(path, kind)
        except ContentLoadError as exc:
            defects.append(exc.defect)
            continue
        entries.append(entry)
    return entries, defects


def load_clinic(path: Path) -> dict[str, Any]:
    """The clinic profile, as plain data."""
    try:
        with path.open(encoding="utf-8") as handle:
            data = _yaml().load(handle)
    except (OSError, YAMLError) as exc:
        raise ContentLoadError(Defect(path, 1, f"cannot read clinic profile: {exc}")) from exc
    if not isinstance(data, dict):
        raise ContentLoadError(Defect(path, 1, "clinic profile must be a mapping"))
    return {str(k): v for k, v in data.items()}
