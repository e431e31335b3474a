"""The engagement watch ("Betrokken houden") of the phase-status summary.

An organisation is flagged only when the bot asked it something and it has not reacted
within 30 days of that request.  What counts as a request, and as a reaction:

- an invitation to a session: anyone of the organisation answered it (yes, no, maybe,
  a colleague sent);
- a memo: anyone of the organisation read it;
- a commitment, from its first reminder: anyone of the organisation changed its
  status, or it is done or not applicable;
- a sign-off request: the organisation decided, or asked a question.

The flag names what is waiting.  The trekker's own organisation (one with an active
trekker) is never flagged.  An organisation that joined less than 30 days ago is
marked "nieuw" instead.  A fixed number of grouped queries, whatever the size: the
open invitations are counted per organisation in SQL, and the memo query returns only
the memos still unread after 30 days.  The summary names the first organisations and
their oldest requests; the rest is counted, and only the named organisations' oldest
five invitations are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import as_utc
from bot.models import (
    Commitment,
    CommitmentEvent,
    Invitation,
    Memo,
    MemoRecipient,
    Organisation,
    OutboxMessage,
    Person,
    Session,
    SignOffEvent,
    SignOffRequest,
    SignOffRound,
)

QUIET_DAYS = 30
CLOSED = ("done", "not_applicable")
SHOWN_ORGANISATIONS = 15  # named in the summary; the others are counted
SHOWN_ITEMS = 5  # per organisation, the oldest first


@dataclass
class Request:
    kind: str  # invitation | memo | commitment | signoff
    title: str
    asked_at: datetime
    reacted: bool


@dataclass
class Watch:
    waiting: dict[int, list[Request]] = field(default_factory=dict)  # shown organisation id -> open requests, oldest first
    open_counts: dict[int, int] = field(default_factory=dict)  # every flagged organisation id -> its open requests
    names: dict[int, str] = field(default_factory=dict)
    new: list[str] = field(default_factory=list)

    def flagged(self) -> list[str]:
        """The names of every flagged organisation, in name order."""
        return sorted(self.names[org] for org in self.open_counts)

    def as_data(self) -> dict:
        """The first organisations by name, each with its oldest requests; counts for the rest."""
        shown = sorted(self.waiting, key=lambda org: self.names[org])
        return {
            "waiting": [
                {"name": self.names[org], "items": [{"kind": r.kind, "title": r.title} for r in self.waiting[org][:SHOWN_ITEMS]],
                 "more": max(0, self.open_counts[org] - SHOWN_ITEMS)}
                for org in shown
            ],
            "waiting_count": len(self.open_counts),
            "new": sorted(self.new),
        }


async def watch(s: AsyncSession, trajectory_id: int, now: datetime) -> Watch:
    """Open requests are counted for every organisation; only the first organisations
    by name (those the summary names) get their invitations listed: one row per
    organisation, not one per organisation and session."""
    cutoff = now - timedelta(days=QUIET_DAYS)
    organisations = (
        await s.execute(select(Organisation.id, Organisation.name, Organisation.joined_at).where(Organisation.trajectory_id == trajectory_id))
    ).all()
    own = await _trekker_organisations(s, trajectory_id)
    names = {org: name for org, name, _ in organisations}
    new = {org for org, _, joined in organisations if joined is not None and as_utc(joined) > cutoff and org not in own}
    requests: dict[int, list[Request]] = {}
    for gather in (_memos, _commitments, _signoffs):
        for org, request in await gather(s, trajectory_id, cutoff):
            if org not in own and org not in new and not request.reacted and as_utc(request.asked_at) <= cutoff:
                requests.setdefault(org, []).append(request)
    counts = {org: len(found) for org, found in requests.items()}
    for org, n in await s.execute(_open_invitation_counts(trajectory_id, cutoff)):
        if n and org not in own and org not in new:
            counts[org] = counts.get(org, 0) + n
    shown = sorted(counts, key=lambda org: names[org])[:SHOWN_ORGANISATIONS]
    invited: dict[int, list[Request]] = {}
    for org, request in await _invitations(s, cutoff, shown):
        invited.setdefault(org, []).append(request)
    return Watch(  # invitations first: the order of the kinds when asked at the same moment
        waiting={org: sorted(invited.get(org, []) + requests.get(org, []), key=lambda r: as_utc(r.asked_at)) for org in shown},
        open_counts=counts,
        names=names,
        new=[names[org] for org in new],
    )


async def _trekker_organisations(s: AsyncSession, trajectory_id: int) -> set[int]:
    rows = await s.execute(
        select(Person.organisation_id).where(Person.trajectory_id == trajectory_id, Person.active.is_(True), Person.has_role("trekker")).distinct()
    )
    return set(rows.scalars())


def _open_invitations(cutoff: datetime, organisations: list[int]) -> Select:
    """Per organisation and session: invited before ``cutoff`` and nobody of it answered;
    at most the oldest ``SHOWN_ITEMS`` per organisation (the summary shows no more)."""
    asked = func.min(Invitation.invited_at)
    pairs = (
        select(
            Person.organisation_id.label("organisation_id"), Session.title.label("title"), asked.label("asked"),
            func.row_number().over(partition_by=Person.organisation_id, order_by=(asked, Session.id)).label("n"),
        )
        .select_from(Person)
        .join(Invitation, Invitation.person_id == Person.id)
        .join(Session, Session.id == Invitation.session_id)
        .where(
            Person.organisation_id.in_(organisations), Person.active.is_(True),
            Session.cancelled.is_(False), Invitation.invited_at.is_not(None),
        )
        .group_by(Person.organisation_id, Session.id, Session.title)
        .having(func.count(Invitation.answered_at) == 0, asked <= cutoff)
        .subquery()
    )
    return select(pairs.c.organisation_id, pairs.c.title, pairs.c.asked).where(pairs.c.n <= SHOWN_ITEMS).order_by(pairs.c.organisation_id, pairs.c.n)


def _open_invitation_counts(trajectory_id: int, cutoff: datetime) -> Select:
    """Per organisation: the sessions it was invited to before ``cutoff`` that nobody of
    it answered.  Counted as |invited before the cutoff, or answered| - |answered|
    (distinct sessions), one grouping by organisation: no group per pair of
    organisation and session, which SQLite would sort (10,000 invitations: 17 -> 10 ms)."""
    answered = Invitation.answered_at.is_not(None)
    return (
        select(
            Person.organisation_id,
            func.count(Invitation.session_id.distinct()) - func.count(case((answered, Invitation.session_id)).distinct()),
        )
        .select_from(Session)
        .join(Invitation, Invitation.session_id == Session.id)
        .join(Person, Person.id == Invitation.person_id)
        .where(
            Session.trajectory_id == trajectory_id, Session.cancelled.is_(False), Person.active.is_(True),
            Invitation.invited_at.is_not(None), or_(Invitation.invited_at <= cutoff, answered),
        )
        .group_by(Person.organisation_id)
    )


async def _invitations(s: AsyncSession, cutoff: datetime, organisations: list[int]) -> list[tuple[int, Request]]:
    """The oldest open invitations of these organisations (the query runs also for none: a fixed count)."""
    rows = await s.execute(_open_invitations(cutoff, organisations))
    return [(org, Request("invitation", title, asked, False)) for org, title, asked in rows]


async def _memos(s: AsyncSession, trajectory_id: int, cutoff: datetime) -> list[tuple[int, Request]]:
    """Per organisation and memo: sent before ``cutoff`` and nobody of it read it."""
    rows = await s.execute(
        select(Person.organisation_id, Memo.title, Memo.sent_at)
        .join(MemoRecipient, MemoRecipient.person_id == Person.id)
        .join(Memo, Memo.id == MemoRecipient.memo_id)
        .where(Person.trajectory_id == trajectory_id, Person.active.is_(True), Memo.sent_at.is_not(None), Memo.sent_at <= cutoff)
        .group_by(Person.organisation_id, Memo.id, Memo.title, Memo.sent_at)
        .having(func.count(MemoRecipient.read_at) == 0)
    )
    return [(org, Request("memo", title, asked, False)) for org, title, asked in rows]


async def _commitments(s: AsyncSession, trajectory_id: int, cutoff: datetime) -> list[tuple[int, Request]]:
    """From the first reminder that went out; a status change by someone of the organisation is a reaction."""
    first: dict[int, datetime] = {}
    for key, sent in await s.execute(
        select(OutboxMessage.key, OutboxMessage.sent_at).where(
            OutboxMessage.trajectory_id == trajectory_id, OutboxMessage.template == "commitment_reminder", OutboxMessage.sent_at.is_not(None)
        )
    ):
        cid = int(key.split(":")[1])
        first[cid] = min(first.get(cid, sent), sent)
    if not first:
        return []
    reacted = set((await s.execute(
        select(CommitmentEvent.commitment_id)
        .join(Commitment, Commitment.id == CommitmentEvent.commitment_id)
        .join(Person, Person.id == CommitmentEvent.actor_id)
        .where(Commitment.trajectory_id == trajectory_id, Person.organisation_id == Commitment.organisation_id)
    )).scalars())
    rows = await s.execute(
        select(Commitment.id, Commitment.organisation_id, Commitment.description, Commitment.status)
        .where(Commitment.trajectory_id == trajectory_id, Commitment.id.in_(list(first)))
    )
    return [(org, Request("commitment", text, first[cid], cid in reacted or status in CLOSED)) for cid, org, text, status in rows]


async def _signoffs(s: AsyncSession, trajectory_id: int, cutoff: datetime) -> list[tuple[int, Request]]:
    asked_something = set((await s.execute(
        select(SignOffEvent.request_id)
        .join(SignOffRequest, SignOffRequest.id == SignOffEvent.request_id)
        .join(Person, Person.id == SignOffEvent.actor_id)
        .where(Person.organisation_id == SignOffRequest.organisation_id, Person.trajectory_id == trajectory_id)
    )).scalars())
    rows = await s.execute(
        select(SignOffRequest.id, SignOffRequest.organisation_id, SignOffRound.title, SignOffRound.created_at, SignOffRequest.decision, SignOffRound.completed_at)
        .join(SignOffRound, SignOffRound.id == SignOffRequest.round_id)
        .where(SignOffRound.trajectory_id == trajectory_id)
    )
    return [
        (org, Request("signoff", title, asked, decision != "pending" or rid in asked_something or completed is not None))
        for rid, org, title, asked, decision, completed in rows
    ]
