"""The shape of vetted content, independent of the files it comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

STATUSES = ("draft", "approved", "retired")
KINDS = ("faq", "emergency", "system")


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    url: str


@dataclass(frozen=True)
class ContentEntry:
    """One vetted answer and the evidence that a clinician reviewed it."""

    kind: str
    id: str
    title: str
    status: str
    answer: str
    sources: tuple[Source, ...]
    reviewed_by: str
    reviewed_on: date | None
    review_due: date | None
    tags: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    # Questions on this FAQ's topic that no answer of the pack gives. Never trained on:
    # `patientbot eval --dataset own` asks them, and no FAQ answer to them is right.
    not_answered: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    myth: bool = False
    # System messages that Rasa sends: the response name, its quick replies and the
    # placeholders Rasa fills from the action (e.g. {queue_position}).
    response: str | None = None
    buttons: tuple[tuple[str, str], ...] = ()
    variables: tuple[str, ...] = ()
    # The message closes a topic: the gateway may start a fresh Rasa tracker after it.
    rest_point: bool = False
    # A system response that says the bot did not understand (ask to rephrase, cannot
    # help): the gateway replaces it for a message that may be urgent (docs/safety.md).
    not_understood: bool = False
    path: Path | None = None
    # 1-based line of each top-level key, and of each example, for error messages.
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    example_lines: tuple[int, ...] = field(default=(), compare=False, hash=False)
    not_answered_lines: tuple[int, ...] = field(default=(), compare=False, hash=False)

    def is_served(self, today: date) -> bool:
        """Only approved content within its review period is ever served as vetted."""
        return (
            self.status == "approved"
            and self.review_due is not None
            and self.review_due >= today
            and (bool(self.sources) or self.kind == "system")
            and bool(self.reviewed_by)
        )


@dataclass(frozen=True)
class ServedAnswer:
    """What a patient is shown: the filled-in answer with its provenance."""

    id: str
    kind: str
    title: str
    text: str
    sources: tuple[Source, ...]
    reviewed_by: str
    reviewed_on: date
    review_due: date


@dataclass(frozen=True)
class Defect:
    """One problem in a content file, with where to find it."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"
