"""rate_slot: outbound pacing shared by every bot process on the database

Revision ID: 0008
Revises: 0010
Create Date: 2026-12-02 01:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rate_slot',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('next_at', sa.Float(), nullable=False, server_default='0'),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_rate_slot')),
    )


def downgrade() -> None:
    op.drop_table('rate_slot')
