"""The right to erasure: remove a person, keep the figures right.

The person row stays as a tombstone (``erased_at`` set, no name, no e-mail address,
no platform ids, inactive), so that every count that includes them stays right: an
invitation still counts as a "yes", a memo as read, a commitment keeps its
organisation and status but no longer names its owner.  Named evaluation answers lose
their link to the person (and their times).  Messages still waiting for them are
withdrawn; the content of every message sent to them is emptied.  Anonymous answers
are linked to nobody and stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Commitment,
    EvaluationResponse,
    Invitation,
    MemoRecipient,
    OutboxMessage,
    Person,
)

ERASED_NAME = "[verwijderd]"


def erased_email(person_id: int) -> str:
    return f"verwijderd-{person_id}@verwijderd.invalid"


@dataclass
class Erased:
    person_id: int
    trajectory: str
    withdrawn: int = 0  # messages that were still waiting
    emptied: int = 0  # messages whose content was removed
    answers_unlinked: int = 0  # named evaluation answers, kept without the person
    invitations: int = 0  # kept for the counts, without a name
    memo_reads: int = 0
    commitments: int = 0  # keep their organisation, not the name


async def erase_person(s: AsyncSession, person: Person, now: datetime) -> Erased:
    """Erase one person row (in the caller's transaction)."""
    done = Erased(person.id, person.trajectory.key if person.trajectory else "")
    secrets = [x for x in (person.name, person.email, person.slack_user_id, person.teams_user_id) if x]
    waiting = await s.execute(
        update(OutboxMessage)
        .where(OutboxMessage.person_id == person.id, OutboxMessage.status.in_(("pending",)))
        .values(status="skipped", last_error="erased")
        .execution_options(synchronize_session=False)
    )
    done.withdrawn = waiting.rowcount or 0
    done.emptied = await _empty_messages(s, person, secrets)
    unlinked = await s.execute(
        update(EvaluationResponse)
        .where(EvaluationResponse.person_id == person.id)
        .values(person_id=None, submitted_at=None, updated_at=None)
        .execution_options(synchronize_session=False)
    )
    done.answers_unlinked = unlinked.rowcount or 0
    done.invitations = await _count(s, select(func.count()).select_from(Invitation).where(Invitation.person_id == person.id))
    done.memo_reads = await _count(s, select(func.count()).select_from(MemoRecipient).where(MemoRecipient.person_id == person.id))
    done.commitments = await _count(s, select(func.count()).select_from(Commitment).where(Commitment.owner_id == person.id))
    person.name = ERASED_NAME
    person.email = erased_email(person.id)
    person.slack_user_id = person.teams_user_id = None
    person.teams_reference = None
    person.lookup_error = person.language = person.platform = None
    person.active = False
    person.erased_at = now
    await s.flush()
    return done


async def _count(s: AsyncSession, query) -> int:
    return int((await s.execute(query)).scalar_one())


async def _empty_messages(s: AsyncSession, person: Person, secrets: list[str]) -> int:
    """Empty the content (and the address) of messages to them, and of messages to
    others that name them, once those are no longer waiting to be sent."""
    rows = (
        await s.execute(
            select(OutboxMessage).where(
                OutboxMessage.trajectory_id == person.trajectory_id, OutboxMessage.status.not_in(("pending", "sending"))
            )
        )
    ).scalars()
    emptied = 0
    for row in rows:
        mine = row.person_id == person.id
        if not mine and not any(secret in repr(row.data) for secret in secrets):
            continue
        row.data = {}
        if mine:
            row.target = None
        emptied += 1
    return emptied
