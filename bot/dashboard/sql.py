"""The few SQL expressions that SQLite and PostgreSQL spell differently, as compiled constructs.

Everything else in the dashboard's queries is plain SQLAlchemy Core that both
databases run as written; the tests run every query on both.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Integer, func
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class seconds_between(FunctionElement):  # noqa: N801 - reads as the SQL function it renders
    """Whole seconds from `earlier` to `later` (two naive UTC timestamps), rounded."""

    type = Integer()
    inherit_cache = True
    name = "seconds_between"


_SECONDS_BETWEEN = {
    "sqlite": "CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)",
    "postgresql": "CAST(ROUND(EXTRACT(EPOCH FROM ({later} - {earlier}))) AS INTEGER)",
}


@compiles(seconds_between)
def _seconds_between(element: seconds_between, compiler: Any, **kw: Any) -> str:
    template = _SECONDS_BETWEEN.get(compiler.dialect.name)
    if template is None:
        raise CompileError(f"seconds_between has no SQL for {compiler.dialect.name}")
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return template.format(later=later, earlier=earlier)


def day_of(column: ColumnElement) -> ColumnElement:
    """The UTC day of a timestamp: `date(x)` on both (SQLite gives text, PostgreSQL a date)."""
    return func.date(column)


def as_day(value: Any) -> date:
    """A `day_of` value read back, as a date whichever database returned it."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
