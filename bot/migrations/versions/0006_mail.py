"""app_secret: the key for personal links in e-mails when SECRET_KEY is not set

Revision ID: 0006
Revises: 0012
Create Date: 2026-12-02 01:00:00
"""
from alembic import op
import sqlalchemy as sa

import bot.models


revision = '0006'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'app_secret',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('created_at', bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('app_secret')
