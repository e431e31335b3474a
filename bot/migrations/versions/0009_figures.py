"""figures a trekker can trust: messages sent at once, organisations' join date, attendance

- outbox.at_once: the answer to the recipient's own request (an export, results asked
  for now), sent whatever the hour; every other row waits for the sending window,
  checked again at send time.
- organisation.joined_at: when the organisation came into the trajectory (the
  engagement watch marks it "nieuw" for 30 days).  Rows from before stay NULL: old.
- session.attendance_at: when the trekker said who came ("Wie was er?"); NULL: not
  said, evaluations go to the yes/maybe-sayers.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02 01:00:00
"""
from alembic import op
import sqlalchemy as sa

import bot.models


revision = '0009'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at_once', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_at', bot.models.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_at', bot.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.drop_column('attendance_at')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('joined_at')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('at_once')
