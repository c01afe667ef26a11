"""support groups: the Telegram groups the bot is in, their moderators, its activity there, myth cooldowns

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('support_groups',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('telegram_chat_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('myth_watch_enabled', sa.Boolean(), nullable=False),
    sa.Column('bot_is_admin', sa.Boolean(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_groups')),
    sa.UniqueConstraint('telegram_chat_id', name=op.f('uq_support_groups_telegram_chat_id'))
    )
    op.create_table('support_group_moderators',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('clinician_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['clinician_id'], ['clinicians.id'], name=op.f('fk_support_group_moderators_clinician_id_clinicians'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['support_groups.id'], name=op.f('fk_support_group_moderators_group_id_support_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'clinician_id', name=op.f('pk_support_group_moderators'))
    )
    op.create_table('support_group_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=64), nullable=True),
    sa.Column('telegram_message_id', sa.Integer(), nullable=True),
    sa.Column('message_text', sa.Text(), nullable=True),
    sa.Column('text_expires_at', sa.DateTime(), nullable=True),
    sa.Column('moderators_alerted', sa.Integer(), nullable=False),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['clinicians.id'], name=op.f('fk_support_group_events_acknowledged_by_clinicians'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['support_groups.id'], name=op.f('fk_support_group_events_group_id_support_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_group_events'))
    )
    with op.batch_alter_table('support_group_events', schema=None) as batch_op:
        batch_op.create_index('ix_support_group_events_group_created', ['group_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_group_events_text_expires_at'), ['text_expires_at'], unique=False)

    op.create_table('support_group_myth_cooldowns',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('faq_id', sa.String(length=64), nullable=False),
    sa.Column('replied_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['support_groups.id'], name=op.f('fk_support_group_myth_cooldowns_group_id_support_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'faq_id', name=op.f('pk_support_group_myth_cooldowns'))
    )


def downgrade() -> None:
    op.drop_table('support_group_myth_cooldowns')
    with op.batch_alter_table('support_group_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_group_events_text_expires_at'))
        batch_op.drop_index('ix_support_group_events_group_created')
    op.drop_table('support_group_events')
    op.drop_table('support_group_moderators')
    op.drop_table('support_groups')
