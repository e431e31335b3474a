"""Invitation interactions: the RSVP buttons, the colleague picker, and the trekker's
``uitnodigen``, ``herinneren`` and ``status`` for a session.  Slack and Teams call
these and render what comes back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.identity import User
from bot.interactions import actors
from bot.interactions.codec import parse_id
from bot.interactions.errors import Refused
from bot.models import Invitation, Session, Trajectory
from bot.services import attendance, directory, invitations, invite_chunks, invite_runs, people, rsvp

Card = Literal["invitation", "rsvp_reminder"]  # the card a Teams button was on
Origin = Literal["message", "home", "mine"]  # where the button was


# -- the answer buttons --------------------------------------------------------------


async def answer(ctx: Context, user: User, invitation_id, value: str) -> rsvp.Answered:
    """Ik kom / Ik kan niet / Misschien: only the invitee's own invitation changes."""
    async with ctx.db.transaction() as s:
        return await rsvp.answer(s, ctx, parse_id(invitation_id), user, value)


async def invitation_vm(ctx: Context, user: User, invitation_id) -> dict:
    """The invitation as it is now, for its own invitee (to show the card again)."""
    async with ctx.db.sessionmaker() as s:
        inv = await rsvp.own_invitation(s, parse_id(invitation_id), user)
        base = await invitations.sent_context(s, inv.session, inv.person)
        return invitations.invitation_vm(ctx, base, inv.session, inv, inv.person)


# -- the colleague picker --------------------------------------------------------------


@dataclass(frozen=True)
class DelegateForm:
    """What the colleague picker carries back: which invitation, and where the button
    was (``origin``; ``card``: the Teams card to show again afterwards)."""

    VERSION: ClassVar[int] = 1
    invitation_id: int
    origin: Origin = "message"
    card: Card = "invitation"


@dataclass(frozen=True)
class Colleague:
    id: int
    name: str


@dataclass(frozen=True)
class Picker:
    form: DelegateForm
    organisation: str
    title: str
    colleagues: tuple[Colleague, ...]


async def picker(ctx: Context, user: User, invitation_id, origin: str = "message", card: str = "invitation") -> Picker:
    """"Ik stuur een collega": the colleagues of the invitee's organisation."""
    async with ctx.db.sessionmaker() as s:
        inv = await rsvp.own_invitation(s, parse_id(invitation_id), user)
        found = await rsvp.colleagues(s, inv)
        form = DelegateForm(
            inv.id,
            origin if origin in ("message", "home", "mine") else "message",  # type: ignore[arg-type]
            card if card in ("invitation", "rsvp_reminder") else "invitation",  # type: ignore[arg-type]
        )
        return Picker(form, inv.person.organisation.name, inv.session.title, tuple(Colleague(p.id, p.name) for p in found))


async def delegate(ctx: Context, user: User, form: DelegateForm, colleague) -> Invitation:
    """Send the chosen colleague; raises Refused (not yours) or Problems (``colleague``)."""
    async with ctx.db.transaction() as s:
        return await rsvp.delegate(s, ctx, form.invitation_id, user, parse_id(colleague))


async def delegate_new(ctx: Context, user: User, invitation_id, name: str, email: str) -> Invitation:
    """Send a colleague who may not be in the file yet (name and e-mail; the web page):
    raises Refused (not yours) or Problems (``colleague_name``, ``colleague_email``)."""
    async with ctx.db.transaction() as s:
        return await rsvp.delegate_new(s, ctx, parse_id(invitation_id), user, name, email)


# -- the trekker's commands --------------------------------------------------------------


async def _session(s: AsyncSession, trajectory: Trajectory, word: str | None, command: str) -> Session:
    """The session a command names; a missing or unknown word lists the valid ones."""
    keys = await directory.session_keys(s, trajectory.id)
    choices = ", ".join(f"`{k}`" for k in keys) or "-"
    if not word:
        raise Refused("command.missing_session", command=command, trajectory=trajectory.title, choices=choices)
    session = await directory.session_by_key(s, trajectory.id, word)
    if session is None:
        raise Refused("command.unknown_session", word=word, trajectory=trajectory.title, choices=choices)
    if session.cancelled:
        raise Refused("command.session_cancelled", title=session.title)
    return session


async def _trekkers_session(s: AsyncSession, user: User, trajectory_id, word: str | None, command: str):
    trajectory = await actors.trajectory(s, parse_id(trajectory_id))
    await actors.trekker(s, trajectory, user)
    return trajectory, await _session(s, trajectory, word, command)


@dataclass(frozen=True)
class Invited:
    title: str
    timezone: str
    sent: int
    already: int
    unreachable: tuple[str, ...]
    send_at: datetime | None  # when they go out, if later than now (quiet hours)
    reached: tuple[tuple[str, int], ...] = ()  # (slack | teams | email, how many) of those sent now


def _later(ctx: Context, send_at: datetime | None, anything: bool) -> datetime | None:
    return send_at if anything and send_at is not None and send_at > ctx.now() else None


@dataclass(frozen=True)
class Queued:
    """A large invite: written in the background, the trekker is told when it is sent."""

    title: str
    count: int  # invitees without an invitation yet
    busy: bool  # a run for this session was under way already: nothing new started


async def invite(ctx: Context, user: User, trajectory_id, word: str | None, command: str = "uitnodigen") -> Invited | Queued:
    """Invite everyone the session names who has no invitation yet (trekkers only).

    Up to one chunk at once, in one transaction; more in the background
    (``bot.services.invite_runs``), with an answer straight away."""
    async with ctx.db.sessionmaker() as s:
        trajectory = await actors.trajectory(s, parse_id(trajectory_id))
        actor = await actors.trekker(s, trajectory, user)
        session = await _session(s, trajectory, word, command)
        invitations.check_ahead(session, ctx.now())
        waiting = await invite_runs.waiting(s, session)
        busy = await invite_runs.open_run(s, session.id) is not None
    if busy or waiting > invite_chunks.CHUNK:
        started = not busy and await invite_runs.start(ctx, session.id, actor.id)
        return Queued(session.title, waiting, busy=not started)
    await people.link_unresolved(ctx, trajectory.id)
    async with ctx.db.transaction() as s:
        locked = (await s.execute(select(Session).where(Session.id == session.id).with_for_update())).scalar_one()
        done = await invitations.invite(s, ctx, locked)
    return Invited(
        session.title, trajectory.timezone, done.sent, done.already, tuple(done.unreachable), _later(ctx, done.send_at, done.sent > 0),
        tuple(sorted(done.reached.items())),
    )


@dataclass(frozen=True)
class Reminded:
    title: str
    key: str
    timezone: str
    invited: bool  # False: nobody was invited yet, nothing to remind
    sent: int
    already_today: int
    send_at: datetime | None


async def remind(ctx: Context, user: User, trajectory_id, word: str | None, command: str = "herinneren") -> Reminded:
    """Remind who has not answered, at most once a day each (trekkers only)."""
    async with ctx.db.transaction() as s:
        trajectory, session = await _trekkers_session(s, user, trajectory_id, word, command)
        invitations.check_ahead(session, ctx.now())
        done = await invitations.remind_now(s, ctx, session)
    return Reminded(
        session.title, session.key, trajectory.timezone, done.invited, done.sent, done.already_today,
        _later(ctx, done.send_at, done.sent > 0),
    )


async def status(ctx: Context, user: User, trajectory_id, word: str | None, command: str = "status") -> dict:
    """Who comes to the session, which organisations nobody comes from (trekkers only)."""
    async with ctx.db.sessionmaker() as s:
        _, session = await _trekkers_session(s, user, trajectory_id, word, command)
        came = (await attendance.counts(s, [session.id])).get(session.id)  # "Wie was er?"
        return {**await rsvp.overview(s, ctx, session), "attendance": came}
