"""bulletins: topic subscriptions with their consent, sends, and the one-row-per-recipient outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 02:37:15
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bulletin_sends',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('bulletin_id', sa.String(length=64), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_sends'))
    )
    with op.batch_alter_table('bulletin_sends', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletin_sends_bulletin_id'), ['bulletin_id'], unique=False)

    op.create_table('bulletin_subscriptions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('consent_text', sa.Text(), nullable=False),
    sa.Column('consented_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_subscriptions')),
    sa.UniqueConstraint('channel', 'external_id', 'topic', name='uq_bulletin_subscriptions_recipient_topic')
    )
    with op.batch_alter_table('bulletin_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletin_subscriptions_topic'), ['topic'], unique=False)

    op.create_table('bulletin_outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('send_id', sa.String(length=32), nullable=False),
    sa.Column('bulletin_id', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=64), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('seen_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['send_id'], ['bulletin_sends.id'], name=op.f('fk_bulletin_outbox_send_id_bulletin_sends'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_outbox')),
    sa.UniqueConstraint('bulletin_id', 'channel', 'external_id', name='uq_bulletin_outbox_recipient')
    )
    with op.batch_alter_table('bulletin_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_bulletin_outbox_send_status', ['send_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('bulletin_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_bulletin_outbox_send_status')

    op.drop_table('bulletin_outbox')
    with op.batch_alter_table('bulletin_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletin_subscriptions_topic'))

    op.drop_table('bulletin_subscriptions')
    with op.batch_alter_table('bulletin_sends', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletin_sends_bulletin_id'))

    op.drop_table('bulletin_sends')
