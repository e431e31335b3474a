"""Answers to an invitation (RSVP): the answer itself, sending a colleague instead, and
the trekker's overview of who comes.

The rules raise the interaction layer's errors: :class:`Refused` when the invitation
is unknown, someone else's or of a cancelled session (nothing changes, nobody else's
message is touched), :class:`Problems` (field ``colleague``) for a colleague who cannot go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import outbox
from bot.context import Context
from bot.identity import User, is_user, route
from bot.interactions.errors import Problem, Problems, Refused
from bot.limits import EMAIL_LIMIT, NAME_LIMIT
from bot.models import Invitation, OutboxMessage, Person, Session, Trajectory
from bot.services import directory
from bot.services.invitations import (
    invited_organisations,
    load_invitation,
    refresh_invitation_message,
    send_invitation,
    session_context,
)
from bot.services.notify import tell_trekkers

ANSWERS = ("yes", "no", "maybe")
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


async def own_invitation(s: AsyncSession, invitation_id: int | None, user: User) -> Invitation:
    """The user's own invitation to a session that still takes place; else Refused."""
    if invitation_id:  # held until the transaction ends: an answer delivered twice at once is one answer
        await s.execute(select(Invitation.id).where(Invitation.id == invitation_id).with_for_update())
    inv = await load_invitation(s, invitation_id) if invitation_id else None
    if inv is None:
        raise Refused("rsvp.unknown")
    if not is_user(inv.person, user):
        raise Refused("rsvp.not_yours")
    if inv.session.cancelled:
        raise Refused("rsvp.cancelled")
    return inv


@dataclass(frozen=True)
class Answered:
    invitation: Invitation
    changed: bool  # False: the same answer again, nothing was recorded


async def answer(s: AsyncSession, ctx: Context, invitation_id: int | None, user: User, value: str) -> Answered:
    """Record yes / no / maybe and update the invitation message in place."""
    if value not in ANSWERS:
        raise Refused("rsvp.unknown")
    inv = await own_invitation(s, invitation_id, user)
    if inv.status == value:
        return Answered(inv, False)
    inv.status = value
    inv.delegated_to_id = None
    inv.answered_at = ctx.now()
    await withdraw_reminders(s, inv)
    await refresh_invitation_message(s, ctx, inv)
    return Answered(inv, True)


async def withdraw_reminders(s: AsyncSession, inv: Invitation) -> None:
    """After an answer: no RSVP reminder that is still waiting (quiet hours) goes out,
    and no attendee reminder unless the person still comes (yes / maybe)."""
    keys = [f"remind:rsvp:{inv.id}:%", f"remind-now:{inv.id}:%"]
    if inv.status not in ("yes", "maybe"):
        keys.append(f"remind:attendee:{inv.id}:%")
    await outbox.withdraw(s, *keys)


# -- a colleague instead ----------------------------------------------------------


async def colleagues(s: AsyncSession, inv: Invitation) -> list[Person]:
    """Who can go instead: active people of the same organisation, not the invitee."""
    rows = await s.execute(
        select(Person)
        .where(
            Person.organisation_id == inv.person.organisation_id,
            Person.id != inv.person_id,
            Person.active.is_(True),
        )
        .order_by(Person.name)
    )
    return list(rows.scalars())


async def check_colleague(s: AsyncSession, inv: Invitation, colleague_id: int | None) -> Person:
    """The rules of the picker: someone chosen, of the same organisation, reachable."""
    if colleague_id is None:
        raise Problems.one("colleague", "invite.delegate_modal.placeholder")
    colleague = await s.get(Person, colleague_id)
    if (
        colleague is None
        or not colleague.active
        or colleague.organisation_id != inv.person.organisation_id
        or colleague.id == inv.person_id
    ):
        raise Problems.one("colleague", "invite.delegate_errors.not_a_colleague")
    if not colleague.reachable:
        raise Problems.one("colleague", "invite.delegate_errors.colleague_unreachable")
    return colleague


async def delegate(s: AsyncSession, ctx: Context, invitation_id: int | None, user: User, colleague_id: int | None) -> Invitation:
    """Hand the invitation to a colleague: they get their own, this one shows who goes."""
    inv = await own_invitation(s, invitation_id, user)
    colleague = await check_colleague(s, inv, colleague_id)
    return await _hand_over(s, ctx, inv, colleague)


def check_new_colleague(name: str, email: str) -> tuple[str, str]:
    """The rules of "a colleague who is not in the file yet": a name and an e-mail address."""
    name, email = " ".join((name or "").split()), (email or "").strip().lower()
    problems: dict[str, Problem] = {}
    if not name:
        problems["colleague_name"] = Problem("invite.new_colleague_errors.name")
    elif len(name) > NAME_LIMIT:
        problems["colleague_name"] = Problem("invite.new_colleague_errors.name_long", {"limit": NAME_LIMIT})
    if len(email) > EMAIL_LIMIT or not EMAIL.match(email):
        problems["colleague_email"] = Problem("invite.new_colleague_errors.email")
    if problems:
        raise Problems(problems)
    return name, email


async def delegate_new(s: AsyncSession, ctx: Context, invitation_id: int | None, user: User, name: str, email: str) -> Invitation:
    """Send a colleague by name and e-mail.  Someone already in the trajectory is chosen
    with the picker's rules; someone new joins the invitee's organisation, gets the
    invitation when the bot can reach them, and the trekkers are told (so they add the
    person to the file, and can forward the invitation otherwise)."""
    inv = await own_invitation(s, invitation_id, user)
    name, email = check_new_colleague(name, email)
    known = (
        await s.execute(select(Person).where(Person.trajectory_id == inv.person.trajectory_id, func.lower(Person.email) == email))
    ).scalars().first()
    if known is not None:
        if known.id == inv.delegated_to_id:
            return inv  # sent already (the same form again): nothing changes
        if not known.active:
            raise Problems.one("colleague_email", "invite.new_colleague_errors.inactive")
        try:
            colleague = await check_colleague(s, inv, known.id)
        except Problems as problems:
            raise Problems({"colleague_email": problems.fields["colleague"]}) from None
        return await _hand_over(s, ctx, inv, colleague)
    colleague = Person(
        trajectory_id=inv.person.trajectory_id,
        organisation_id=inv.person.organisation_id,
        name=name,
        email=email,
        roles=["deelnemer"],
        language=inv.person.language,
        active=True,
    )
    s.add(colleague)
    await s.flush()
    inv = await _hand_over(s, ctx, inv, colleague)
    trajectory = await s.get(Trajectory, inv.session.trajectory_id)
    base = await session_context(s, inv.session)
    data = {**base, "name": inv.person.name, "organisation": inv.person.organisation.name, "colleague": name, "email": email,
            "invited": route(colleague) is not None}
    await tell_trekkers(s, ctx, trajectory, key=f"rsvp-new-colleague:{inv.id}:{colleague.id}", template="rsvp_new_colleague",
                        data=data)
    return inv


async def _hand_over(s: AsyncSession, ctx: Context, inv: Invitation, colleague: Person) -> Invitation:
    if inv.status == "delegated" and inv.delegated_to_id == colleague.id:
        return inv  # the same hand-over twice: nothing new
    session = inv.session
    trajectory = await s.get(Trajectory, session.trajectory_id)
    theirs = (
        await s.execute(select(Invitation).where(Invitation.session_id == session.id, Invitation.person_id == colleague.id))
    ).scalar_one_or_none()
    if theirs is None:
        theirs = Invitation(session_id=session.id, person_id=colleague.id, status="pending", delegated_from_id=inv.person_id)
        s.add(theirs)
        await s.flush()
    theirs.person = colleague
    if theirs.invited_at is None and route(colleague) is not None:
        theirs.delegated_from_id = inv.person_id
        base = await session_context(s, session)
        await send_invitation(s, ctx, trajectory, session, theirs, base, ctx.send_time(trajectory.timezone))
    inv.status = "delegated"
    inv.delegated_to_id = colleague.id
    inv.answered_at = ctx.now()
    await withdraw_reminders(s, inv)
    await refresh_invitation_message(s, ctx, inv)
    return inv


# -- overview ---------------------------------------------------------------------


async def overview(s: AsyncSession, ctx: Context, session: Session) -> dict:
    """RSVP counts, organisations with nobody coming, who has not answered."""
    invitees = await directory.invitees(s, session)
    base = await session_context(s, session, invitees)
    invitations = (
        await s.execute(
            select(Invitation)
            .where(Invitation.session_id == session.id)
            .options(selectinload(Invitation.person).selectinload(Person.organisation))
            .order_by(Invitation.id)
        )
    ).scalars().all()
    counts = {status: 0 for status in ("yes", "no", "maybe", "pending", "delegated")}
    coming_orgs: set[str] = set()
    for inv in invitations:
        counts[inv.status] += 1
        if inv.status == "yes":
            coming_orgs.add(inv.person.organisation.name)
    failed = (
        await s.execute(
            select(OutboxMessage.person_id).where(
                OutboxMessage.key.like(f"invite:{session.id}:%"), OutboxMessage.status == "failed"
            )
        )
    ).scalars().all()
    failed_ids = set(failed)
    undelivered = [
        inv.person.name for inv in invitations if inv.person_id in failed_ids or not inv.person.reachable
    ]
    return {
        **base,
        "key": session.key,
        "invited": session.invited_at is not None,
        "counts": counts,
        "organisations_missing": [name for name in invited_organisations(invitees) if name not in coming_orgs],  # all, not the 15 of base
        "pending_names": [inv.person.name for inv in invitations if inv.status == "pending"],
        "undelivered": undelivered,
    }
