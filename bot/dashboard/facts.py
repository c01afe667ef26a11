"""The dashboard's aggregates: one SQL query per kind of count, each giving anonymous `Fact` rows.

A fact is (metric, UTC day, key, key2, value): "3 conversations on webchat on
2024-05-02 that needed no clinician". Every query groups in SQL and selects
only days, labels and counts, never a message's text, so nothing a patient
wrote can reach the page, the CSV export or the table of kept counts.

The same queries serve two scopes: a period (the dashboard) and a single
conversation (erasure.py folds its facts into `dashboard_counts` before the
conversation is deleted, so the figures survive it as counts only).

Every query's rows come from an inner SELECT with the columns `day`, `key` and
`key2`, grouped by an outer one: PostgreSQL refuses to group by an expression
whose bound parameters differ from the selected one's, and grouping a
subquery's columns sidesteps that on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, and_, case, exists, func, literal, or_, select, text, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import CompoundSelect

from bot.dashboard.models import DashboardCount
from bot.dashboard.period import Period
from bot.dashboard.sql import as_day, day_of, seconds_between
from bot.db.models import AnswerFeedback, Conversation, Message
from bot.handoff.models import Handoff

# metric: key, key2
CONVERSATIONS = "conversations"  # channel, "contained" | "handoff"
MESSAGES = "messages"  # channel (messages from patients)
ANSWERS = "answers"  # an ANSWER_OUTCOMES value
FEEDBACK = "feedback"  # FAQ id, "helpful" | "not_helpful"
HANDOFFS = "handoffs"  # reason, priority
HANDOFF_FLAGS = "handoff_flags"  # a HANDOFF_FLAG_NAMES value
TO_CLAIM = "to_claim"  # whole seconds from request to claim
TO_RESOLVE = "to_resolve"  # whole seconds from request to resolution
RED_FLAGS = "red_flags"  # red-flag category
METRICS = (
    CONVERSATIONS, MESSAGES, ANSWERS, FEEDBACK, HANDOFFS, HANDOFF_FLAGS, TO_CLAIM, TO_RESOLVE, RED_FLAGS,
)

# What the bot did with a question a patient typed: answered it with an FAQ, offered
# "did you mean" and the patient picked one, did not answer (ask to rephrase, cannot
# help, an offer nobody picked), or something else (small talk, asking for a person).
ANSWER_OUTCOMES = ("direct", "suggestion", "none", "other")
HANDOFF_FLAG_NAMES = ("overdue", "wait_limit", "expired", "out_of_hours", "callback")
KEY_CHARS = 64
CHOOSE_FAQ_PREFIX = "/choose_faq"  # actions/suggestions.py's button payload


@dataclass(frozen=True)
class Fact:
    metric: str
    day: date
    key: str
    key2: str
    value: int


@dataclass(frozen=True)
class Scope:
    """Which rows count: created in [start, end), and/or of one conversation (for erasure)."""

    start: datetime | None = None
    end: datetime | None = None
    conversation_id: str | None = None

    def where(self, created: ColumnElement, conversation: ColumnElement) -> list[ColumnElement]:
        conditions = []
        if self.start is not None:
            conditions.append(created >= self.start)
        if self.end is not None:
            conditions.append(created < self.end)
        if self.conversation_id is not None:
            conditions.append(conversation == self.conversation_id)
        return conditions


def _blank() -> ColumnElement:
    return literal("", String).label("key2")


def _count(session: Session, metric: str, rows: Select | CompoundSelect) -> list[Fact]:
    """Count `rows` (columns day, key, key2) per day and keys."""
    sub = rows.subquery()
    columns = (sub.c.day, sub.c.key, sub.c.key2)
    query = select(*columns, func.count()).group_by(*columns)
    return [
        Fact(metric, as_day(day), str(key if key is not None else "")[:KEY_CHARS], str(key2 or ""), int(n))
        for day, key, key2, n in session.execute(query)
    ]


def conversations(*, session: Session, scope: Scope) -> list[Fact]:
    """Conversations started, per channel, and whether they ever needed a clinician (containment)."""
    needed = exists().where(Handoff.conversation_id == Conversation.id)
    rows = select(
        day_of(Conversation.created_at).label("day"),
        Conversation.channel.label("key"),
        case((needed, "handoff"), else_="contained").label("key2"),
    ).where(*scope.where(Conversation.created_at, Conversation.id))
    return _count(session, CONVERSATIONS, rows)


def messages(*, session: Session, scope: Scope) -> list[Fact]:
    """Messages from patients, per channel."""
    rows = (
        select(day_of(Message.created_at).label("day"), Conversation.channel.label("key"), _blank())
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.sender == "patient", *scope.where(Message.created_at, Message.conversation_id))
    )
    return _count(session, MESSAGES, rows)


def answers(*, session: Session, scope: Scope) -> list[Fact]:
    """What became of each question a patient typed that the bot handled (ANSWER_OUTCOMES).

    The gateway stores an answered question's FAQ ids in its `meta.faq_ids`, and
    Rasa's custom data with the bot's last reply (`meta.custom`): `faq_offer` for
    "did you mean", `not_understood` for ask-to-rephrase and cannot-help. The
    bot's replies to a question are its messages before the patient's next one;
    a pressed suggestion is that next message: a `/choose_faq` payload whose FAQ
    was answered.

    Only the questions without a direct answer need lookups on (conversation_id,
    id), each done once: `OFFSET 0` keeps both databases from inlining a stage
    into the next, which would repeat its lookups wherever the value is used.
    """
    later, reply, pressed = aliased(Message), aliased(Message), aliased(Message)

    def faq(message: Any) -> ColumnElement:
        return message.meta[("faq_ids", 0)].as_string()

    next_id = (
        select(func.min(later.id))
        .where(later.conversation_id == Message.conversation_id, later.sender == "patient", later.id > Message.id)
        .scalar_subquery()
    )
    questions = (
        select(
            Message.id,
            Message.conversation_id,
            Message.created_at,
            faq(Message).label("faq"),
            case((faq(Message).is_(None), next_id)).label("next_id"),
        )
        .where(
            Message.sender == "patient",
            Message.payload.is_(None),
            Message.status == "bot",
            *scope.where(Message.created_at, Message.conversation_id),
        )
        .offset(0)
        .subquery()
    )
    # 2: "did you mean" offered, 1: not understood, 0: some other reply.
    kind = (
        select(
            func.max(
                case(
                    (reply.meta[("custom", "faq_offer", 0)].as_string().is_not(None), 2),
                    (reply.meta[("custom", "not_understood")].as_boolean().is_(True), 1),
                    else_=0,
                )
            )
        )
        .where(
            reply.conversation_id == questions.c.conversation_id,
            reply.sender == "bot",
            reply.id > questions.c.id,
            or_(questions.c.next_id.is_(None), reply.id < questions.c.next_id),
        )
        .scalar_subquery()
    )
    replied = (
        select(
            questions.c.created_at,
            questions.c.faq,
            questions.c.next_id,
            case((questions.c.faq.is_(None), kind)).label("reply"),
        )
        .offset(0)
        .subquery()
    )
    picked = exists().where(
        pressed.id == replied.c.next_id, pressed.payload.like(f"{CHOOSE_FAQ_PREFIX}%"), faq(pressed).is_not(None)
    )
    outcome = case(
        (replied.c.faq.is_not(None), "direct"),
        (and_(replied.c.reply == 2, picked), "suggestion"),
        (replied.c.reply >= 1, "none"),
        else_="other",
    )
    rows = select(day_of(replied.c.created_at).label("day"), outcome.label("key"), _blank())
    return _count(session, ANSWERS, rows)


def feedback(*, session: Session, scope: Scope) -> list[Fact]:
    """"Was this helpful?" presses per FAQ."""
    rows = select(
        day_of(AnswerFeedback.created_at).label("day"),
        AnswerFeedback.faq_id.label("key"),
        case((AnswerFeedback.helpful.is_(True), "helpful"), else_="not_helpful").label("key2"),
    ).where(*scope.where(AnswerFeedback.created_at, AnswerFeedback.conversation_id))
    return _count(session, FEEDBACK, rows)


def handoffs(*, session: Session, scope: Scope) -> list[Fact]:
    """Requests for a clinician, per reason and priority."""
    rows = select(
        day_of(Handoff.created_at).label("day"), Handoff.reason.label("key"), Handoff.priority.label("key2")
    ).where(*scope.where(Handoff.created_at, Handoff.conversation_id))
    return _count(session, HANDOFFS, rows)


def handoff_flags(*, session: Session, scope: Scope) -> list[Fact]:
    """Requests that were overdue, reached the wait limit, expired, came out of hours, or left a callback.

    From the columns bot.handoff writes: the sweep sets `alerted_at` past the
    alert limit, `patient_notified_at` past the wait limit (the patient is told
    what to do next and the bot answers again) and status `expired` days later.
    A request opened when no clinician was available (out of hours or nobody on
    duty) gets `patient_notified_at` equal to `created_at` at once.
    """
    conditions = {
        "overdue": Handoff.alerted_at.is_not(None),
        "wait_limit": Handoff.patient_notified_at > Handoff.created_at,
        "expired": Handoff.status == "expired",
        "out_of_hours": Handoff.patient_notified_at == Handoff.created_at,
        "callback": Handoff.callback_contact.is_not(None),
    }
    where = scope.where(Handoff.created_at, Handoff.conversation_id)
    rows = union_all(
        *(
            select(day_of(Handoff.created_at).label("day"), literal(name, String).label("key"), _blank()).where(
                condition, *where
            )
            for name, condition in conditions.items()
        )
    )
    return _count(session, HANDOFF_FLAGS, rows)


def _durations(session: Session, scope: Scope, metric: str, until: ColumnElement) -> list[Fact]:
    rows = select(
        day_of(Handoff.created_at).label("day"),
        seconds_between(until, Handoff.created_at).label("key"),
        _blank(),
    ).where(until.is_not(None), *scope.where(Handoff.created_at, Handoff.conversation_id))
    return _count(session, metric, rows)


def wait_times(*, session: Session, scope: Scope) -> list[Fact]:
    """How many requests waited how many seconds to be claimed, and to be resolved.

    Counts per whole second rather than one row per request: the percentiles
    are read from this distribution, and no request can be told apart in it.
    """
    return _durations(session, scope, TO_CLAIM, Handoff.claimed_at) + _durations(
        session, scope, TO_RESOLVE, Handoff.resolved_at
    )


def red_flags(*, session: Session, scope: Scope) -> list[Fact]:
    """Patient messages the safety net flagged, per most severe category (the gateway's `meta.category`)."""
    category = Message.meta["category"].as_string()
    rows = select(day_of(Message.created_at).label("day"), category.label("key"), _blank()).where(
        Message.sender == "patient",
        category.is_not(None),
        *scope.where(Message.created_at, Message.conversation_id),
    )
    return _count(session, RED_FLAGS, rows)


QUERIES = (conversations, messages, answers, feedback, handoffs, handoff_flags, wait_times, red_flags)


def live_facts(*, session: Session, scope: Scope) -> list[Fact]:
    """Every fact of the rows stored now."""
    if session.get_bind().dialect.name == "postgresql":
        # The correlated lookups make the planner's cost estimates high enough for
        # PostgreSQL to JIT-compile each query: ~300 ms of compiling for ~20 ms of work.
        session.execute(text("SET LOCAL jit = off"))
    return [fact for query in QUERIES for fact in query(session=session, scope=scope)]


def kept_facts(*, session: Session, start: date, end: date) -> list[Fact]:
    """The facts of conversations erased since, from `dashboard_counts`, for days in [start, end]."""
    columns = (DashboardCount.metric, DashboardCount.day, DashboardCount.key, DashboardCount.key2)
    query = (
        select(*columns, func.sum(DashboardCount.value))
        .where(DashboardCount.day >= start, DashboardCount.day <= end)
        .group_by(*columns)
    )
    return [
        Fact(metric, as_day(day), key, key2, int(total or 0))
        for metric, day, key, key2, total in session.execute(query)
    ]


def period_facts(*, session: Session, period: Period) -> list[Fact]:
    """Everything the dashboard counts for the period: the live rows and the kept counts."""
    scope = Scope(start=period.start_at, end=period.end_at)
    return live_facts(session=session, scope=scope) + kept_facts(
        session=session, start=period.start, end=period.end
    )
