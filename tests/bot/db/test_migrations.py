"""Alembic migrations build the same schema on SQLite and PostgreSQL, and go back down cleanly."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from bot.db.all_models import metadata
from bot.db.migrate import current_revision, downgrade, upgrade

EXPECTED_TABLES = {
    "conversations", "messages", "answer_feedback", "api_keys", "handoffs", "clinicians", "audit_events",
}


def tables(url: str) -> set[str]:
    engine = create_engine(url, future=True)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_matches_the_models_and_downgrade_empties(database_url: str) -> None:
    # The fixture already upgraded to head.
    assert tables(database_url) >= EXPECTED_TABLES
    assert set(metadata.tables) == tables(database_url)
    head = current_revision(database_url)
    assert head is not None
    downgrade(database_url, "base")
    assert tables(database_url) == set()
    upgrade(database_url)
    assert current_revision(database_url) == head


def test_models_and_migrations_agree(database_url: str) -> None:
    """No model change is left without a migration (autogenerate finds nothing to do)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()
    assert diff == []
