"""The right of access: everything the bot holds about a person, as plain data.

``collect`` finds the person (by e-mail, in one trajectory or all) and returns one
dict per person row: the person, the organisation, platform ids, invitations and
answers, memo reads, commitments and their history, named evaluation answers (an
anonymous answer is linked to nobody, so it cannot be handed out), sign-offs, and the
messages the bot sent them (outbox rows).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.models import (
    Commitment,
    CommitmentEvent,
    Evaluation,
    EvaluationPrompt,
    EvaluationResponse,
    Invitation,
    Memo,
    MemoRecipient,
    OutboxMessage,
    Person,
    Session,
    SignOffEvent,
    SignOffRequest,
    SignOffRound,
    Trajectory,
)


def plain(value: Any) -> Any:
    """JSON-ready: datetimes and dates as ISO text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


async def find_people(s: AsyncSession, email: str, trajectory_key: str | None) -> list[Person]:
    query = (
        select(Person)
        .join(Trajectory, Trajectory.id == Person.trajectory_id)
        .where(func.lower(Person.email) == email.strip().lower())
        .options(selectinload(Person.organisation), selectinload(Person.trajectory))
        .order_by(Person.id)
    )
    if trajectory_key:
        query = query.where(Trajectory.key == trajectory_key)
    return list((await s.execute(query)).scalars())


async def collect(s: AsyncSession, person: Person) -> dict[str, Any]:
    org = person.organisation
    return plain(
        {
            "person": {
                "id": person.id,
                "name": person.name,
                "email": person.email,
                "roles": list(person.roles or []),
                "language": person.language,
                "platform": person.platform,
                "active": person.active,
                "trajectory": {"key": person.trajectory.key, "title": person.trajectory.title},
            },
            "organisation": {"key": org.key, "name": org.name, "kind": org.kind},
            "platform_ids": {
                "slack_user_id": person.slack_user_id,
                "teams_user_id": person.teams_user_id,
                "teams_reference": person.teams_reference,
            },
            "invitations": await _invitations(s, person),
            "memos": await _memos(s, person),
            "commitments": await _commitments(s, person),
            "evaluations": await _evaluations(s, person),
            "signoffs": await _signoffs(s, person),
            "messages": await _messages(s, person),
        }
    )


async def _invitations(s: AsyncSession, person: Person) -> list[dict]:
    rows = await s.execute(
        select(Invitation, Session)
        .join(Session, Session.id == Invitation.session_id)
        .where(or_(Invitation.person_id == person.id, Invitation.delegated_to_id == person.id, Invitation.delegated_from_id == person.id))
        .order_by(Session.starts_at)
    )
    return [
        {
            "session": session.key,
            "title": session.title,
            "starts": session.starts_at,
            "status": inv.status if inv.person_id == person.id else None,
            "invited_at": inv.invited_at if inv.person_id == person.id else None,
            "answered_at": inv.answered_at if inv.person_id == person.id else None,
            "attended": inv.attended if inv.person_id == person.id else None,
            "delegated": "to_you" if inv.delegated_to_id == person.id else "by_you" if inv.delegated_from_id == person.id else None,
        }
        for inv, session in rows
    ]


async def _memos(s: AsyncSession, person: Person) -> list[dict]:
    rows = await s.execute(
        select(MemoRecipient, Memo).join(Memo, Memo.id == MemoRecipient.memo_id).where(MemoRecipient.person_id == person.id).order_by(Memo.id)
    )
    received = [{"title": m.title, "sent_at": m.sent_at, "read_at": r.read_at, "reminded_at": r.reminded_at} for r, m in rows]
    written = (await s.execute(select(Memo).where(Memo.author_id == person.id).order_by(Memo.id))).scalars()
    return received + [{"title": m.title, "written_by_you": True, "status": m.status, "sent_at": m.sent_at} for m in written]


async def _commitments(s: AsyncSession, person: Person) -> list[dict]:
    touched = select(CommitmentEvent.commitment_id).where(CommitmentEvent.actor_id == person.id)
    rows = (
        await s.execute(
            select(Commitment)
            .where(or_(Commitment.owner_id == person.id, Commitment.id.in_(touched)))
            .options(selectinload(Commitment.history), selectinload(Commitment.organisation))
            .order_by(Commitment.id)
        )
    ).scalars()
    return [
        {
            "key": c.key,
            "description": c.description,
            "organisation": c.organisation.name,
            "owner": c.owner_id == person.id,
            "due": c.due,
            "status": c.status,
            "last_note": c.last_note,
            "history": [
                {"at": e.at, "from": e.from_status, "to": e.to_status, "note": e.note, "by_you": e.actor_id == person.id}
                for e in c.history
            ],
        }
        for c in rows
    ]


async def _evaluations(s: AsyncSession, person: Person) -> list[dict]:
    rows = await s.execute(
        select(EvaluationPrompt, Evaluation, Session)
        .join(Evaluation, Evaluation.id == EvaluationPrompt.evaluation_id)
        .join(Session, Session.id == Evaluation.session_id)
        .where(EvaluationPrompt.person_id == person.id)
        .order_by(Evaluation.id)
    )
    out = []
    for prompt, ev, session in rows:
        item = {"session": session.key, "title": session.title, "anonymous": ev.anonymous, "asked_at": prompt.prompted_at,
                "responded": prompt.responded, "answers": None}
        if not ev.anonymous:
            answer = (
                await s.execute(
                    select(EvaluationResponse).where(EvaluationResponse.evaluation_id == ev.id, EvaluationResponse.person_id == person.id)
                )
            ).scalar_one_or_none()
            if answer is not None:
                item.update(answers=answer.answers, submitted_at=answer.submitted_at, updated_at=answer.updated_at)
        out.append(item)
    return out


async def _signoffs(s: AsyncSession, person: Person) -> list[dict]:
    decided = await s.execute(
        select(SignOffRequest, SignOffRound).join(SignOffRound, SignOffRound.id == SignOffRequest.round_id)
        .where(SignOffRequest.decided_by_id == person.id).order_by(SignOffRequest.id)
    )
    out = [{"round": r.title, "decision": q.decision, "decided_at": q.decided_at, "reason": q.reason} for q, r in decided]
    events = await s.execute(
        select(SignOffEvent, SignOffRound)
        .join(SignOffRequest, SignOffRequest.id == SignOffEvent.request_id)
        .join(SignOffRound, SignOffRound.id == SignOffRequest.round_id)
        .where(SignOffEvent.actor_id == person.id).order_by(SignOffEvent.id)
    )
    return out + [{"round": r.title, "event": e.kind, "at": e.at, "note": e.note} for e, r in events]


async def _messages(s: AsyncSession, person: Person) -> list[dict]:
    rows = (await s.execute(select(OutboxMessage).where(OutboxMessage.person_id == person.id).order_by(OutboxMessage.id))).scalars()
    return [
        {"key": m.key, "template": m.template, "platform": m.platform, "status": m.status, "created_at": m.created_at,
         "sent_at": m.sent_at, "content": m.data}
        for m in rows
    ]


def counts(data: dict) -> dict[str, int]:
    """How many of each, for the readable summary."""
    return {
        "invitations": len(data["invitations"]),
        "memos": len(data["memos"]),
        "commitments": len(data["commitments"]),
        "evaluations": len(data["evaluations"]),
        "named_answers": sum(1 for e in data["evaluations"] if e.get("answers")),
        "signoffs": len(data["signoffs"]),
        "messages": len(data["messages"]),
    }
