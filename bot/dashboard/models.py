"""`dashboard_counts`: what erased conversations contributed to the dashboard, as counts only.

When a conversation is erased (the patient's /delete, or the retention limit),
its messages, handoffs and feedback go; the dashboard would then forget that it
ever happened, and last month's containment would change under the clinic's
feet. Before deleting, erasure.py adds the conversation's facts here: a day, a
metric, labels (channel, FAQ id, reason, priority, category, whole seconds)
and a count. No id, no text: nothing here leads back to the patient.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String

from bot.db.base import Base


class DashboardCount(Base):
    __tablename__ = "dashboard_counts"
    __table_args__ = (Index("ix_dashboard_counts_day_metric", "day", "metric"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    day = Column(Date, nullable=False)
    metric = Column(String(24), nullable=False)
    key = Column(String(64), nullable=False, default="")
    key2 = Column(String(32), nullable=False, default="")
    value = Column(Integer, nullable=False)
