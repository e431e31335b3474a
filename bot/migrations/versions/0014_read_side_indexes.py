"""Indexes for the read side at 2,000 people: per-session counts, and the person's views

- invitation (session_id, status, attended): the summary, the status view, the
  attendance line and the dashboard count a session's invitations per answer (and who
  came) from the index alone; at 10,000 invitations SQLite otherwise reads every row
  and sorts the groups in a temporary B-tree.
- The foreign keys App Home and ``mijn`` look a person up by (invitation.person_id,
  commitment.owner_id, memo_recipient.person_id, evaluation_prompt.person_id), the
  organisation's people (person.organisation_id: SQLite built a temporary index for
  the ambassador counts on every summary) and the updates of an outbox message
  (outbox.update_of_id: the newest version of each sent invitation scanned the whole
  outbox once per invitation).

Revision ID: 0014
Revises: 0008
Create Date: 2026-12-02 04:00:00
"""
from alembic import op


revision = '0014'
down_revision = '0008'
branch_labels = None
depends_on = None

FOREIGN_KEYS = [
    ('invitation', 'person_id'),
    ('commitment', 'owner_id'),
    ('memo_recipient', 'person_id'),
    ('evaluation_prompt', 'person_id'),
    ('person', 'organisation_id'),
    ('outbox', 'update_of_id'),
]


def upgrade() -> None:
    op.create_index('ix_invitation_session_status', 'invitation', ['session_id', 'status', 'attended'])
    for table, column in FOREIGN_KEYS:
        op.create_index(f'ix_{table}_{column}', table, [column])


def downgrade() -> None:
    for table, column in reversed(FOREIGN_KEYS):
        op.drop_index(f'ix_{table}_{column}', table_name=table)
    op.drop_index('ix_invitation_session_status', table_name='invitation')
