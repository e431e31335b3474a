"""What waits for one person: their upcoming sessions (and, later, commitments)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.context import Context
from bot.models import Invitation, Person, Session
from bot.services import invitations


async def my_overview(ctx: Context, user_id: str, limit: int = 20) -> dict:
    async with ctx.db.sessionmaker() as s:
        rows = (
            await s.execute(
                select(Invitation)
                .join(Session, Session.id == Invitation.session_id)
                .join(Person, Person.id == Invitation.person_id)
                .where(
                    Person.slack_user_id == user_id,
                    Person.active.is_(True),
                    Invitation.invited_at.is_not(None),
                    Session.cancelled.is_(False),
                    Session.starts_at > ctx.now(),
                )
                .order_by(Session.starts_at)
                .limit(limit + 1)
                .options(
                    selectinload(Invitation.person),
                    selectinload(Invitation.session),
                    selectinload(Invitation.delegated_to),
                    selectinload(Invitation.delegated_from),
                )
            )
        ).scalars().all()
        language = rows[0].person.language if rows else None
        sessions = []
        for inv in rows[:limit]:
            base = await invitations.session_context(s, inv.session)
            sessions.append(invitations.invitation_vm(ctx, base, inv.session, inv, inv.person))
    return {"language": language or "nl", "sessions": sessions, "more": max(0, len(rows) - limit)}
