"""How the service is doing: counts for the admins' dashboard, computed in SQL, without patient text.

Where to look:
- period.py   the chosen period (from/to dates, by day or by week) and its buckets.
- sql.py      the few expressions SQLite and PostgreSQL spell differently.
- facts.py    the aggregates: one SQL query per kind of count, each returning
              anonymous `Fact` rows (day, key, value); never a message's text.
- models.py   `dashboard_counts`: the facts of erased conversations, kept as counts.
- erasure.py  folds a conversation's facts into `dashboard_counts` before it is erased.
- report.py   the dashboard's figures and tables, from live and kept facts.
- content.py  vetted content due for review soon, and content withheld as expired.
"""
