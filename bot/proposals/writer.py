"""Write an approved proposal into the content files: the files stay the single source of truth.

ruamel.yaml's round-trip mode keeps every comment, the order of the keys and
the quoting as the clinic wrote them; only the list the proposal adds to
changes, and each added line carries a comment saying which proposal it came
from and who approved it when (so `git blame` and a reviewer of the commit see
it). tests/bot/proposals/test_writer.py checks that loading and dumping every
shipped FAQ unchanged gives the same bytes.

A new FAQ becomes a draft under `drafts/faq/<id>.yml`, outside the folders the
loader reads: it has questions but no answer, sources or reviewer yet, so it
would not validate, and a draft must never stop `patientbot content build`.
A clinician writes the answer and moves it into `faq/` for review as usual.
"""

from __future__ import annotations

import io
import os
import tempfile
from datetime import date
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.content.loader import load_content
from bot.content.validator import ID_PATTERN, normalise_question
from bot.proposals.models import EXAMPLE, NEW_FAQ, NOT_ANSWERED

DRAFTS_DIR = Path("drafts") / "faq"
FIELD_OF = {EXAMPLE: "examples", NOT_ANSWERED: "not_answered"}


class ContentWriteError(Exception):
    """The change cannot be written as it stands (unknown FAQ, a question the content already has, ...)."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True  # type: ignore[assignment]
    yaml.width = 4096  # type: ignore[assignment]
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def faq_path(content_dir: Path, faq_id: str) -> Path:
    return content_dir / "faq" / f"{faq_id}.yml"


def draft_path(content_dir: Path, faq_id: str) -> Path:
    return content_dir / DRAFTS_DIR / f"{faq_id}.yml"


def known_questions(content_dir: Path) -> dict[str, str]:
    """Every example and not_answered question of the content, normalised, with its FAQ id."""
    entries, _ = load_content(content_dir)
    known: dict[str, str] = {}
    for entry in entries:
        if entry.kind == "faq":
            for text in (*entry.examples, *entry.not_answered, *getattr(entry, "near_misses", ())):
                known.setdefault(normalise_question(text), entry.id)
    return known


def check_new(content_dir: Path, texts: list[str]) -> None:
    """Refuse a question the content already has anywhere: one question, one meaning (the validator's rule)."""
    known = known_questions(content_dir)
    seen: set[str] = set()
    for text in texts:
        key = normalise_question(text)
        if not key:
            raise ContentWriteError("A question is empty.")
        if key in known:
            raise ContentWriteError(f"'{text}' is already a question of the FAQ '{known[key]}'.")
        if key in seen:
            raise ContentWriteError(f"'{text}' is in the proposal twice.")
        seen.add(key)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def dump(document: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def add_questions(
    content_dir: Path, *, kind: str, faq_id: str, texts: list[str], proposal_id: str, approved_by: str, on: date
) -> Path:
    """Append `texts` to the FAQ's examples or not_answered; returns the file written."""
    path = faq_path(content_dir, faq_id)
    if not path.is_file():
        raise ContentWriteError(f"There is no FAQ '{faq_id}' in the content.")
    check_new(content_dir, texts)
    document = _yaml().load(path.read_text(encoding="utf-8"))
    key = FIELD_OF[kind]
    items = document.get(key)
    if not isinstance(items, CommentedSeq):
        items = CommentedSeq(list(items or []))
        document[key] = items
    note = f"proposal {proposal_id[:8]}, approved by {approved_by} on {on.isoformat()}"
    for text in texts:
        items.append(text)
        items.yaml_add_eol_comment(note, len(items) - 1)
    _write_atomically(path, dump(document))
    return path


def write_draft(
    content_dir: Path, *, faq_id: str, title: str, texts: list[str], proposal_id: str, approved_by: str, on: date
) -> Path:
    """A draft FAQ with the questions as examples, for a clinician to complete."""
    if not ID_PATTERN.match(faq_id):
        raise ContentWriteError("A new FAQ's id must be lowercase letters, digits and underscores.")
    path = draft_path(content_dir, faq_id)
    if faq_path(content_dir, faq_id).exists() or path.exists():
        raise ContentWriteError(f"An FAQ or draft '{faq_id}' already exists.")
    check_new(content_dir, texts)
    document = CommentedMap()
    document["id"] = faq_id
    document["title"] = title
    document["status"] = "draft"
    document["answer"] = ""
    document["sources"] = CommentedSeq()
    document["reviewed_by"] = ""
    document["examples"] = CommentedSeq(texts)
    document.yaml_set_start_comment(
        f"Draft from proposal {proposal_id[:8]}, approved by {approved_by} on {on.isoformat()}.\n"
        "Write the answer (at most 120 words), its sources, at least 8 examples and the review\n"
        f"fields, then move this file to faq/{faq_id}.yml for review like any FAQ."
    )
    _write_atomically(path, dump(document))
    return path


def apply(
    content_dir: Path, *, kind: str, faq_id: str, title: str | None, texts: list[str], proposal_id: str,
    approved_by: str, on: date,
) -> Path:
    """Write one approved proposal; returns the file written."""
    if kind == NEW_FAQ:
        return write_draft(
            content_dir, faq_id=faq_id, title=title or faq_id, texts=texts, proposal_id=proposal_id,
            approved_by=approved_by, on=on,
        )
    return add_questions(
        content_dir, kind=kind, faq_id=faq_id, texts=texts, proposal_id=proposal_id, approved_by=approved_by, on=on
    )
