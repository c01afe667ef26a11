"""dashboard_counts: erased conversations' part of the dashboard, as counts only

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dashboard_counts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=24), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('key2', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_counts'))
    )
    with op.batch_alter_table('dashboard_counts', schema=None) as batch_op:
        batch_op.create_index('ix_dashboard_counts_day_metric', ['day', 'metric'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dashboard_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_dashboard_counts_day_metric')
    op.drop_table('dashboard_counts')
