"""mail_reply: the mails read from the IMAP folder (iTIP replies), each handled once

Revision ID: 0012
Revises: 0005
Create Date: 2026-12-02 01:00:00
"""
from alembic import op
import sqlalchemy as sa

import bot.models


revision = '0012'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mail_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailbox', sa.String(length=512), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=False),
    sa.Column('uid', sa.BigInteger(), nullable=False),
    sa.Column('message_key', sa.String(length=255), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('received_at', bot.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_reply')),
    sa.UniqueConstraint('mailbox', 'uidvalidity', 'uid', name=op.f('uq_mail_reply_mailbox'))
    )
    with op.batch_alter_table('mail_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_reply_message_key'), ['message_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mail_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_reply_message_key'))
    op.drop_table('mail_reply')
