"""Storage: one SQLAlchemy metadata for every table, sessions and a unit of work."""
