"""What a mail needs from the database when it is sent: the recipient's name, the
trekker to reply to, the calendar part of an invitation, and the key for personal links
(made once and kept in the database when SECRET_KEY is not set)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from email.utils import parseaddr

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.calendar import build_ics, ics_filename
from bot.chat import OutMessage
from bot.context import Context
from bot.mail.message import CalendarPart
from bot.models import AppSecret, Invitation, Person, Session, Trajectory
from bot.services import directory
from bot.web.links import LinkSigner

CALENDAR_TEMPLATES = ("invitation", "session_changed", "session_cancelled")
LINK_KEY = "link_key"


@dataclass(frozen=True)
class Details:
    name: str | None = None
    reply_to: str | None = None  # the trekker's address
    calendar: CalendarPart | None = None


class Lookup:
    """``details`` for the mail chat; the trekker's address is kept a minute per trajectory
    (a mail-out of 2,000 invitations asks 2,000 times)."""

    TTL = 60.0

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._trekker: dict[int, tuple[float, Person | None]] = {}

    async def details(self, person_id: int | None, message: OutMessage | None = None) -> Details:
        if person_id is None:
            return Details()
        invitation_id = message.data.get("invitation_id") if message is not None and message.template in CALENDAR_TEMPLATES else None
        # A transaction, not a bare session: on SQLite every transaction takes the write
        # lock (BEGIN IMMEDIATE), and the database's gate queues us in order instead of
        # leaving SQLite's busy handler to poll while the dispatcher records outcomes.
        # One query per mail: the person (with the invitation's session for a calendar).
        async with self.ctx.db.transaction() as s:
            session = None
            if invitation_id:
                found = (
                    await s.execute(
                        select(Person, Session, Trajectory)
                        .join(Invitation, Invitation.person_id == Person.id)
                        .join(Session, Session.id == Invitation.session_id)
                        .join(Trajectory, Trajectory.id == Session.trajectory_id)
                        .where(Invitation.id == invitation_id, Person.id == person_id)
                    )
                ).first()
                person, session = (found[0], found[1]) if found is not None else (await s.get(Person, person_id), None)
            else:
                person = await s.get(Person, person_id)
            if person is None:
                return Details()
            trekker = await self._first_trekker(s, person.trajectory_id)
            calendar = await _calendar(s, self.ctx, session, person, trekker) if session is not None else None
        return Details(name=person.name, reply_to=trekker.email if trekker else None, calendar=calendar)

    async def _first_trekker(self, s, trajectory_id: int) -> Person | None:
        now = time.monotonic()
        cached = self._trekker.get(trajectory_id)
        if cached is not None and now - cached[0] < self.TTL:
            return cached[1]
        trekker = next(iter(await directory.trekkers(s, trajectory_id)), None)
        if trekker is not None:
            s.expunge(trekker)  # kept past this session (name and e-mail only are read)
        self._trekker[trajectory_id] = (now, trekker)
        return trekker


async def _calendar(s, ctx: Context, session: Session, person: Person, trekker: Person | None) -> CalendarPart:
    from dataclasses import replace

    from bot.services.invitations import calendar_event

    # The session's trajectory is in the identity map (loaded with it): no second query.
    event = await calendar_event(s, ctx, session, attendee=person, organizer=trekker)
    if ctx.settings.imap_url is not None and ctx.settings.mail_from:
        # The bot reads the replies (IMAP): they must come to its own address.
        name, address = parseaddr(ctx.settings.mail_from)
        event = replace(event, organizer_email=address, organizer_name=name or None)
    method = "CANCEL" if event.cancelled else "REQUEST"
    return CalendarPart(build_ics(event), method, ics_filename(session.title))


async def link_signer(ctx: Context) -> LinkSigner:
    """``ctx.links``; without SECRET_KEY the key is made once and kept in the database."""
    if ctx.links is not None:
        return ctx.links
    async with ctx.db.sessionmaker() as s:
        row = await s.get(AppSecret, LINK_KEY)
        if row is None:
            try:
                s.add(AppSecret(name=LINK_KEY, value=secrets.token_urlsafe(32), created_at=ctx.now()))
                await s.commit()
            except IntegrityError:  # another process made it first
                await s.rollback()
            row = (await s.execute(select(AppSecret).where(AppSecret.name == LINK_KEY))).scalar_one()
        value = row.value
    ctx.links = LinkSigner(value, ctx.settings.public_url)
    return ctx.links
