"""inbox of unanswered questions, their groups and collection cursors; content proposals; reviewers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 19:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('clinicians', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('reviewer', sa.Boolean(), nullable=False, server_default=sa.false())
        )

    op.create_table('content_proposals',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('faq_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=True),
    sa.Column('proposer_name', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewer_name', sa.String(length=128), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('applied_path', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['proposed_by'], ['clinicians.id'], name=op.f('fk_content_proposals_proposed_by_clinicians')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['clinicians.id'], name=op.f('fk_content_proposals_reviewed_by_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_proposals'))
    )
    with op.batch_alter_table('content_proposals', schema=None) as batch_op:
        batch_op.create_index('ix_content_proposals_status_created', ['status', 'created_at'], unique=False)

    op.create_table('inbox_groups',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('nearest_faq_id', sa.String(length=64), nullable=True),
    sa.Column('nearest_score', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_groups'))
    )

    op.create_table('inbox_cursors',
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_inbox_cursors'))
    )

    op.create_table('inbox_questions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('faq_id', sa.String(length=64), nullable=True),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('embedding', sa.LargeBinary(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('handled_by', sa.Integer(), nullable=True),
    sa.Column('handled_at', sa.DateTime(), nullable=True),
    sa.Column('proposal_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_inbox_questions_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['inbox_groups.id'], name=op.f('fk_inbox_questions_group_id_inbox_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handled_by'], ['clinicians.id'], name=op.f('fk_inbox_questions_handled_by_clinicians')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_inbox_questions_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['content_proposals.id'], name=op.f('fk_inbox_questions_proposal_id_content_proposals'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_questions')),
    sa.UniqueConstraint('message_id', 'kind', name='uq_inbox_questions_message_kind')
    )
    with op.batch_alter_table('inbox_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_questions_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_questions_group_id'), ['group_id'], unique=False)
        batch_op.create_index('ix_inbox_questions_status_asked', ['status', 'asked_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inbox_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_questions_status_asked')
        batch_op.drop_index(batch_op.f('ix_inbox_questions_group_id'))
        batch_op.drop_index(batch_op.f('ix_inbox_questions_conversation_id'))

    op.drop_table('inbox_questions')
    op.drop_table('inbox_cursors')
    op.drop_table('inbox_groups')
    with op.batch_alter_table('content_proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_content_proposals_status_created')

    op.drop_table('content_proposals')
    with op.batch_alter_table('clinicians', schema=None) as batch_op:
        batch_op.drop_column('reviewer')
