"""The dashboard for a period: headline figures, tables and chart data, built from facts only.

Everything here works on `Fact` rows (days, labels, counts), so the report
cannot hold a patient's words. Each table is what its CSV export contains, and
each chart names the table that gives its values in text.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bot.content.models import ContentEntry
from bot.dashboard import facts as f
from bot.dashboard.content import ReviewItem, review_dates
from bot.dashboard.period import Period
from bot.db.models import CHANNELS
from bot.handoff.models import PRIORITY_RANK
from bot.safety.categories import LABELS as RED_FLAG_LABELS
from bot.safety.categories import SEVERITY_RANK

Cell = str | int | float | None

CHANNEL_LABELS = {"telegram": "Telegram", "webchat": "Web chat", "rest": "REST API"}
PRIORITIES = tuple(sorted(PRIORITY_RANK, key=PRIORITY_RANK.__getitem__))
OUTCOME_LABELS = {"direct": "Answered directly", "suggestion": "By suggestion", "none": "Not answered"}
FLAG_LABELS = {
    "overdue": "Overdue (alerted)",
    "wait_limit": "Reached the wait limit",
    "expired": "Expired",
    "out_of_hours": "No clinician available",
    "callback": "Callback requested",
}
# Every table of the page, in its order: the names the CSV export takes.
TABLES = (
    "summary",
    "conversations",
    "messages",
    "answers",
    "helpful",
    "handoffs",
    "handoffs_over_time",
    "wait_times",
    "wait_distribution",
    "red_flags",
    "content_due",
    "content_expired",
)
# Upper bounds in seconds; the last range is open.
WAIT_RANGES: tuple[tuple[int | None, str], ...] = (
    (60, "under 1 min"),
    (300, "1 to 5 min"),
    (900, "5 to 15 min"),
    (1800, "15 to 30 min"),
    (3600, "30 to 60 min"),
    (4 * 3600, "1 to 4 h"),
    (24 * 3600, "4 to 24 h"),
    (None, "24 h or more"),
)


@dataclass
class Table:
    """One table of the page and of its CSV export; each row starts with its header cell."""

    name: str
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    empty: str = "Nothing in this period."


@dataclass
class Series:
    name: str
    values: list[int]
    css: str


@dataclass
class Chart:
    """Bars over `labels`, one series per colour; `table` names the table with the same values."""

    id: str
    title: str
    description: str
    labels: list[str]
    series: list[Series]
    stacked: bool
    table: str


@dataclass
class Report:
    period: Period
    summary: list[tuple[str, str]]
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)


# --- arithmetic ----------------------------------------------------------------------------


def share(part: int, whole: int) -> float | None:
    """Percentage with one decimal, None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def percentile(counts: Counter[int], p: float) -> int | None:
    """Nearest-rank percentile of a distribution given as {value: how many}; None if empty."""
    total = sum(counts.values())
    if not total:
        return None
    rank = max(1, math.ceil(p / 100 * total))
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    return max(counts)  # unreachable: the ranks add up to `total`


def minutes(seconds: int | None) -> float | None:
    return round(seconds / 60, 1) if seconds is not None else None


def duration_text(seconds: int | None) -> str:
    """A wait as people say it: 45 s, 4 min 10 s, 2 h 05 min, 3 d 4 h."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


def percent_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def wait_range(seconds: int) -> str:
    return next(label for bound, label in WAIT_RANGES if bound is None or seconds < bound)


# --- grouping ------------------------------------------------------------------------------


def _grid(
    facts: Iterable[f.Fact], row: Callable[[f.Fact], Any], column: Callable[[f.Fact], Any]
) -> defaultdict[Any, Counter[Any]]:
    grid: defaultdict[Any, Counter[Any]] = defaultdict(Counter)
    for fact in facts:
        grid[row(fact)][column(fact)] += fact.value
    return grid


def _ordered(seen: Iterable[str], known: Iterable[str]) -> list[str]:
    """The known values in their order, then any others seen, sorted."""
    known = list(known)
    return known + sorted(set(seen) - set(known))


@dataclass
class _Facts:
    period: Period
    by_metric: dict[str, list[f.Fact]]

    @classmethod
    def of(cls, facts: Iterable[f.Fact], period: Period) -> _Facts:
        by_metric: dict[str, list[f.Fact]] = defaultdict(list)
        for fact in facts:
            by_metric[fact.metric].append(fact)
        return cls(period, by_metric)

    def over_time(self, metric: str, column: Callable[[f.Fact], Any]) -> defaultdict[Any, Counter[Any]]:
        return _grid(self.by_metric[metric], lambda fact: self.period.bucket(fact.day), column)

    def total(self, metric: str, column: Callable[[f.Fact], Any]) -> Counter[Any]:
        totals: Counter[Any] = Counter()
        for fact in self.by_metric[metric]:
            totals[column(fact)] += fact.value
        return totals

    def seconds(self, metric: str) -> Counter[int]:
        counts: Counter[int] = Counter()
        for fact in self.by_metric[metric]:
            counts[int(fact.key)] += fact.value
        return counts


def _key(fact: f.Fact) -> str:
    return fact.key


def _key2(fact: f.Fact) -> str:
    return fact.key2


def _keys(fact: f.Fact) -> tuple[str, str]:
    return fact.key, fact.key2


# --- charts --------------------------------------------------------------------------------


def _describe(chart: Chart, what: str) -> str:
    """The chart in words, for its <desc>: what the bars are, the totals and the largest bar."""
    layout = "Stacked bars" if chart.stacked else "Bars side by side"
    span = f"{chart.labels[0]} to {chart.labels[-1]}" if chart.labels else "no data"
    totals = "; ".join(f"{s.name} {sum(s.values):,}" for s in chart.series)
    heights = [
        sum(values) if chart.stacked else max(values)
        for values in zip(*(s.values for s in chart.series))
    ]
    text = f"{layout}, {what}, {span}. Totals: {totals}."
    if heights and max(heights) > 0:
        top = heights.index(max(heights))
        text += f" Largest: {chart.labels[top]} ({max(heights):,})."
    return text + " Every value is in the table below."


def _chart(
    chart_id: str, title: str, what: str, labels: list[str], series: list[Series], *, stacked: bool, table: str
) -> Chart:
    chart = Chart(chart_id, title, "", labels, series, stacked, table)
    chart.description = _describe(chart, what)
    return chart


# --- the sections --------------------------------------------------------------------------


def _activity(data: _Facts, report: Report) -> dict[str, int]:
    period = data.period
    buckets = period.buckets()
    conv = data.over_time(f.CONVERSATIONS, _key)
    contained = data.over_time(f.CONVERSATIONS, _key2)
    msgs = data.over_time(f.MESSAGES, _key)
    channels = _ordered(
        {c for row in conv.values() for c in row} | {c for row in msgs.values() for c in row}, CHANNELS
    )
    names = [CHANNEL_LABELS.get(c, c) for c in channels]
    conv_rows: list[list[Cell]] = []
    msg_rows: list[list[Cell]] = []
    for bucket in buckets:
        all_conv = sum(conv[bucket].values())
        kept = contained[bucket]["contained"]
        conv_rows.append(
            [period.label(bucket), *(conv[bucket][c] for c in channels), all_conv, kept, share(kept, all_conv)]
        )
        msg_rows.append([period.label(bucket), *(msgs[bucket][c] for c in channels), sum(msgs[bucket].values())])
    report.tables["conversations"] = Table(
        "conversations",
        f"Conversations started per {period.group}, by channel, and how many ended without a clinician",
        ["Period", *names, "All", "Without a handoff", "Containment (%)"],
        conv_rows,
    )
    report.tables["messages"] = Table(
        "messages",
        f"Messages from patients per {period.group}, by channel",
        ["Period", *names, "All"],
        msg_rows,
    )
    labels = [period.label(b) for b in buckets]
    report.charts["conversations"] = _chart(
        "chart-conversations",
        "Conversations over time, by channel",
        f"one per {period.group}, of conversations started per channel",
        labels,
        [
            Series(name, [conv[b][c] for b in buckets], f"series-{i}")
            for i, (c, name) in enumerate(zip(channels, names))
        ],
        stacked=True,
        table="conversations",
    )
    totals = data.total(f.CONVERSATIONS, _key2)
    return {
        "conversations": sum(totals.values()),
        "contained": totals["contained"],
        "messages": sum(data.total(f.MESSAGES, _key).values()),
    }


def _answers(data: _Facts, report: Report) -> Counter[Any]:
    period = data.period
    buckets = period.buckets()
    grid = data.over_time(f.ANSWERS, _key)
    rows: list[list[Cell]] = []
    for bucket in buckets:
        counts = grid[bucket]
        asked = sum(counts[o] for o in OUTCOME_LABELS)
        rows.append(
            [
                period.label(bucket),
                *(counts[o] for o in OUTCOME_LABELS),
                *(share(counts[o], asked) for o in OUTCOME_LABELS),
                counts["other"],
            ]
        )
    report.tables["answers"] = Table(
        "answers",
        f"Questions patients typed per {period.group}: answered directly, by a \"did you mean\" suggestion, or not at all",
        [
            "Period",
            *OUTCOME_LABELS.values(),
            *(f"{label} (%)" for label in OUTCOME_LABELS.values()),
            "Other messages (small talk, asking for a person)",
        ],
        rows,
    )
    report.charts["answers"] = _chart(
        "chart-answers",
        "The answer mix over time",
        f"one per {period.group}, of questions by what the bot did with them",
        [period.label(b) for b in buckets],
        [
            Series(label, [grid[b][o] for b in buckets], f"outcome-{o}")
            for o, label in OUTCOME_LABELS.items()
        ],
        stacked=True,
        table="answers",
    )
    return data.total(f.ANSWERS, _key)


def _helpful(data: _Facts, report: Report, title: Callable[[str], str | None]) -> tuple[int, int]:
    grid = _grid(data.by_metric[f.FEEDBACK], _key, _key2)
    yes = sum(row["helpful"] for row in grid.values())
    no = sum(row["not_helpful"] for row in grid.values())
    ordered = sorted(grid.items(), key=lambda item: (-sum(item[1].values()), str(item[0])))
    rows: list[list[Cell]] = [["All FAQs", "", yes, no, share(yes, yes + no)]] if grid else []
    for faq_id, counts in ordered:
        h, n = counts["helpful"], counts["not_helpful"]
        rows.append([title(str(faq_id)) or str(faq_id), str(faq_id), h, n, share(h, h + n)])
    report.tables["helpful"] = Table(
        "helpful",
        "\"Was this helpful?\" presses, overall and per FAQ, most pressed first",
        ["FAQ", "FAQ id", "Helpful", "Not helpful", "Helpful (%)"],
        rows,
        "No feedback in this period.",
    )
    return yes, no


def _handoffs(data: _Facts, report: Report) -> dict[str, int]:
    period = data.period
    by_reason = _grid(data.by_metric[f.HANDOFFS], _key, _key2)
    priorities = _ordered({p for row in by_reason.values() for p in row}, PRIORITIES)
    rows: list[list[Cell]] = [
        [str(reason).replace("_", " "), *(counts[p] for p in priorities), sum(counts.values())]
        for reason, counts in sorted(by_reason.items(), key=lambda item: (-sum(item[1].values()), str(item[0])))
    ]
    if rows:
        column_totals = [sum(by_reason[r][p] for r in by_reason) for p in priorities]
        rows.append(["All reasons", *column_totals, sum(column_totals)])
    report.tables["handoffs"] = Table(
        "handoffs",
        "Requests for a clinician, by reason and priority",
        ["Reason", *(p.capitalize() for p in priorities), "All"],
        rows,
        "No requests for a clinician in this period.",
    )

    buckets = period.buckets()
    opened = data.over_time(f.HANDOFFS, _key)
    flags = data.over_time(f.HANDOFF_FLAGS, _key)
    report.tables["handoffs_over_time"] = Table(
        "handoffs_over_time",
        f"Requests for a clinician per {period.group}, and what became of them",
        ["Period", "Requests", *FLAG_LABELS.values()],
        [
            [period.label(b), sum(opened[b].values()), *(flags[b][name] for name in FLAG_LABELS)]
            for b in buckets
        ],
    )
    report.charts["handoffs"] = _chart(
        "chart-handoffs",
        "Requests for a clinician over time",
        f"one pair per {period.group}, of requests and of requests that reached the wait limit",
        [period.label(b) for b in buckets],
        [
            Series("Requests", [sum(opened[b].values()) for b in buckets], "series-0"),
            Series(FLAG_LABELS["wait_limit"], [flags[b]["wait_limit"] for b in buckets], "series-warn"),
        ],
        stacked=False,
        table="handoffs_over_time",
    )
    totals = data.total(f.HANDOFF_FLAGS, _key)
    return {"requests": sum(data.total(f.HANDOFFS, _key).values()), **{k: int(totals[k]) for k in FLAG_LABELS}}


def _waits(data: _Facts, report: Report) -> dict[str, tuple[int | None, int | None]]:
    measures = {f.TO_CLAIM: "Request to claim", f.TO_RESOLVE: "Request to resolution"}
    counts = {metric: data.seconds(metric) for metric in measures}
    figures = {m: (percentile(counts[m], 50), percentile(counts[m], 95)) for m in measures}
    report.tables["wait_times"] = Table(
        "wait_times",
        "How long patients waited for a clinician: median (p50) and 95th percentile (p95)",
        ["Measure", "Requests", "p50 (min)", "p95 (min)"],
        [
            [label, sum(counts[m].values()), minutes(figures[m][0]), minutes(figures[m][1])]
            for m, label in measures.items()
        ],
    )
    ranges: dict[str, Counter[str]] = {m: Counter() for m in measures}
    for m in measures:
        for seconds, n in counts[m].items():
            ranges[m][wait_range(seconds)] += n
    labels = [label for _bound, label in WAIT_RANGES]
    report.tables["wait_distribution"] = Table(
        "wait_distribution",
        "Requests by how long they waited",
        ["Wait", *measures.values()],
        [[label, *(ranges[m][label] for m in measures)] for label in labels],
    )
    report.charts["wait_distribution"] = _chart(
        "chart-waits",
        "The wait-time distribution",
        "one pair per wait range, of requests by time to claim and by time to resolution",
        labels,
        [Series(name, [ranges[m][label] for label in labels], f"series-{i}") for i, (m, name) in enumerate(measures.items())],
        stacked=False,
        table="wait_distribution",
    )
    return figures


def _red_flags(data: _Facts, report: Report) -> int:
    counts = data.total(f.RED_FLAGS, _key)
    ordered = sorted(counts, key=lambda c: (SEVERITY_RANK.get(str(c), len(SEVERITY_RANK)), str(c)))
    report.tables["red_flags"] = Table(
        "red_flags",
        "Messages with red flags, by their most severe category",
        ["Category", "Category id", "Messages"],
        [[RED_FLAG_LABELS.get(str(c), str(c)), str(c), counts[c]] for c in ordered],
        "No red flags in this period.",
    )
    return sum(counts.values())


def _review_rows(items: list[ReviewItem]) -> list[list[Cell]]:
    return [[i.title, i.kind, i.id, i.review_due.isoformat(), i.days] for i in items]


def _content(report: Report, entries: Iterable[ContentEntry], today: date) -> tuple[int, int]:
    due, expired = review_dates(entries=entries, today=today)
    for name, items, caption, when, days, empty in (
        (
            "content_due", due, "Vetted content due for review in the next 30 days, soonest first",
            "Review due", "Days left", "No content is due for review in the next 30 days.",
        ),
        (
            "content_expired", expired, "Content withheld from patients because its review date has passed",
            "Review was due", "Days overdue", "No content is withheld as expired.",
        ),
    ):
        report.tables[name] = Table(name, caption, ["Title", "Kind", "Id", when, days], _review_rows(items), empty)
    return len(due), len(expired)


def build_report(
    *,
    session: Session,
    period: Period,
    entries: Iterable[ContentEntry],
    title: Callable[[str], str | None],
    today: date,
) -> Report:
    """The whole dashboard for `period`: one pass over the facts, then the content review dates."""
    data = _Facts.of(f.period_facts(session=session, period=period), period)
    report = Report(period, [])
    activity = _activity(data, report)
    outcomes = _answers(data, report)
    asked = sum(outcomes[o] for o in OUTCOME_LABELS)
    yes, no = _helpful(data, report, title)
    handoffs = _handoffs(data, report)
    waits = _waits(data, report)
    flagged = _red_flags(data, report)
    due, expired = _content(report, entries, today)
    requests = handoffs["requests"]
    report.summary = [
        ("Conversations", f"{activity['conversations']:,}"),
        ("Messages from patients", f"{activity['messages']:,}"),
        ("Containment (ended without a handoff)", percent_text(share(activity["contained"], activity["conversations"]))),
        *((f"Questions {label.lower()}", percent_text(share(outcomes[o], asked))) for o, label in OUTCOME_LABELS.items()),
        ("\"Helpful\" rate", percent_text(share(yes, yes + no))),
        ("Requests for a clinician", f"{requests:,}"),
        ("Request to claim, p50 / p95", f"{duration_text(waits[f.TO_CLAIM][0])} / {duration_text(waits[f.TO_CLAIM][1])}"),
        (
            "Request to resolution, p50 / p95",
            f"{duration_text(waits[f.TO_RESOLVE][0])} / {duration_text(waits[f.TO_RESOLVE][1])}",
        ),
        ("Requests that reached the wait limit", f"{handoffs['wait_limit']:,}"),
        ("Requests when no clinician was available (after hours)", percent_text(share(handoffs["out_of_hours"], requests))),
        ("Callback requests", f"{handoffs['callback']:,}"),
        ("Messages with red flags", f"{flagged:,}"),
        ("Content due for review in 30 days", f"{due:,}"),
        ("Content withheld as expired", f"{expired:,}"),
    ]
    report.tables["summary"] = Table(
        "summary", "The period at a glance", ["Figure", "Value"], [list(row) for row in report.summary]
    )
    report.tables = {name: report.tables[name] for name in TABLES}
    return report
