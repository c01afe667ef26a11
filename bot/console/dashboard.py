"""The admins' dashboard: how the service is doing over a period, as figures, tables, charts and CSV.

Only admins may open it (bot.console.roles). Every view and every CSV export
writes an audit row in the same transaction as the read, as a transcript view
does, with the period and the table but nothing else. The page holds counts
only (bot.dashboard), so it shows no patient text.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import sessionmaker

from bot.console.auth import ConsoleUser
from bot.console.charts import bar_chart
from bot.console.rendering import ConsoleError, ConsoleRoute, render
from bot.console.roles import admin_user
from bot.content.store import get_content_store
from bot.dashboard.period import InvalidPeriod, Period, parse_period
from bot.dashboard.report import TABLES, Cell, Report, Table, build_report
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.gateway.deps import session_factory_dep
from bot.handoff import audit

router = APIRouter(prefix="/console", route_class=ConsoleRoute)

PAGE = "page"
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _period(start: str | None, end: str | None, group: str | None) -> Period:
    try:
        return parse_period(start=start, end=end, group=group, today=utcnow().date())
    except InvalidPeriod as error:
        raise ConsoleError(422, str(error)) from None


def dashboard_view(factory: sessionmaker, period: Period, clinician_id: int, table: str) -> Report:
    """The report for `period`, read and audited in one transaction (sync: run in a worker thread)."""
    store = get_content_store()
    with unit_of_work(factory) as session:
        report = build_report(
            session=session,
            period=period,
            entries=store.entries(),
            title=store.faq_title,
            today=utcnow().date(),
        )
        audit.record(
            session=session,
            action="dashboard.viewed" if table == PAGE else "dashboard.exported",
            target_type="dashboard",
            target_id=table,
            actor_id=clinician_id,
            details=period.query(),
        )
    return report


def cell_text(value: Cell) -> str:
    """A cell as the page shows it: thousands separated, one decimal, a dash for nothing."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


def _csv_value(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([_csv_value(v) for v in row] for row in table.rows)
    return out.getvalue()


@router.get("/dashboard", include_in_schema=False)
async def dashboard_page(
    request: Request,
    start: str | None = Query(None, alias="from", description="first day, YYYY-MM-DD (UTC)"),
    end: str | None = Query(None, alias="to", description="last day, YYYY-MM-DD (UTC)"),
    group: str | None = Query(None, description="day or week"),
    user: ConsoleUser = Depends(admin_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    period = _period(start, end, group)
    report = await anyio.to_thread.run_sync(dashboard_view, factory, period, user.id, PAGE)

    def csv_link(name: str) -> str:
        return "/console/dashboard.csv?" + urlencode({"table": name, **period.query()})

    return render(
        request,
        "dashboard.html",
        {"user": user, "report": report, "chart": bar_chart, "cell": cell_text, "csv_link": csv_link},
    )


@router.get("/dashboard.csv", include_in_schema=False)
async def dashboard_csv(
    table: str = Query(..., description="which table: " + ", ".join(TABLES)),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    group: str | None = Query(None),
    user: ConsoleUser = Depends(admin_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    """One table of the dashboard as CSV (the same rows as on the page, numbers unformatted)."""
    if table not in TABLES:
        raise ConsoleError(404, "No such table on the dashboard.")
    period = _period(start, end, group)
    report = await anyio.to_thread.run_sync(dashboard_view, factory, period, user.id, table)
    filename = f"patientbot-{table}-{period.start.isoformat()}-{period.end.isoformat()}-{period.group}.csv"
    return Response(
        table_csv(report.tables[table]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
