"""privacy: the anonymous answer pool, retention, erased tombstones, the archive

Revision ID: 0010
Revises: 0013
Create Date: 2026-12-02 01:00:00
"""
from alembic import op
import sqlalchemy as sa
import bot.models


revision = '0010'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evaluation_pool',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_pool_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_pool')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('evaluation_pool', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_pool_evaluation_id'), ['evaluation_id'], unique=False)
    op.create_table('privacy_archive',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trajectory_key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('ended_at', bot.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('erased_at', bot.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_archive')),
    )
    with op.batch_alter_table('trajectory', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), server_default='365', nullable=False))
        batch_op.add_column(sa.Column('erased_at', bot.models.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', bot.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
    with op.batch_alter_table('trajectory', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('retention_days')
    op.drop_table('privacy_archive')
    with op.batch_alter_table('evaluation_pool', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_pool_evaluation_id'))
    op.drop_table('evaluation_pool')
