"""index conversations by last message, for the retention purge

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:05:00
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_conversations_last_message_at'), ['last_message_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_last_message_at'))
