"""dashboard_sign_in and dashboard_session: one-time sign-in links and sessions of the
trekker's dashboard

Revision ID: 0013
Revises: 0009 (main's head when this branch started; the coordinator relinks the chain)
Create Date: 2026-12-02 01:10:00
"""
from alembic import op
import sqlalchemy as sa

import bot.models


revision = '0013'
down_revision = '0009'
branch_labels = None
depends_on = None


def _table(name: str, *columns: sa.Column) -> None:
    op.create_table(name,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('created_at', bot.models.UTCDateTime(timezone=True), nullable=False),
    *columns,
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f(f'fk_{name}_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    sa.UniqueConstraint('token_hash', name=op.f(f'uq_{name}_token_hash'))
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_person_id'), ['person_id'], unique=False)


def upgrade() -> None:
    _table('dashboard_sign_in',
           sa.Column('expires_at', bot.models.UTCDateTime(timezone=True), nullable=False),
           sa.Column('used_at', bot.models.UTCDateTime(timezone=True), nullable=True))
    _table('dashboard_session',
           sa.Column('last_seen_at', bot.models.UTCDateTime(timezone=True), nullable=False),
           sa.Column('ended_at', bot.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for name in ('dashboard_session', 'dashboard_sign_in'):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{name}_person_id'))
        op.drop_table(name)
