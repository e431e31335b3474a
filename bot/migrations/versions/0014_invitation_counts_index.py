"""invitation (session_id, status, attended): the per-session counts from the index alone

The summary, the status view, the attendance line and the dashboard count a session's
invitations per answer (and who came).  At 10,000 invitations SQLite otherwise reads
every row from the table and sorts the groups in a temporary B-tree.

Revision ID: 0014
Revises: 0008
Create Date: 2026-12-02 04:00:00
"""
from alembic import op


revision = '0014'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_invitation_session_status', 'invitation', ['session_id', 'status', 'attended'])


def downgrade() -> None:
    op.drop_index('ix_invitation_session_status', table_name='invitation')
