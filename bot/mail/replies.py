"""Calendar answers from mail clients: iTIP ``METHOD:REPLY`` (RFC 5546) read from the
bot's IMAP folder (``IMAP_URL``) and recorded as the RSVP, exactly as a button press.

Outlook, Gmail and Apple Mail send a reply when someone presses Accept / Decline /
Tentative in an invitation whose ``ORGANIZER`` is the bot's address.  Each new mail in
the folder is read once (``mail_reply`` rows: the folder's UIDVALIDITY + UID, and the
Message-ID); every ``text/calendar`` part in it counts, inline, as an attachment
(Gmail's ``invite.ics``) or inside a forwarded message, with or without the
``method=REPLY`` MIME parameter: the ``METHOD`` inside the calendar decides.

The ``UID`` names the session (``bot.calendar.session_uid``), the ``ATTENDEE`` the
invitee of that session, ``PARTSTAT`` the answer (ACCEPTED yes, DECLINED no, TENTATIVE
maybe).  The answer goes through ``bot.interactions.invitations.answer`` with the actor
``identity.email(address)``: the same rules as a button (someone else's or a cancelled
session's invitation is refused there).  A reply to an older ``SEQUENCE`` than the
session's is stale.  A ``COMMENT`` is logged at debug level: an RSVP has no note.

Mail that became (or already was) the RSVP is marked \\Seen; everything else (not a
reply, unreadable, a foreign UID, a stranger, a cancelled session, stale) is left as
it is for a person to look at, and logged in one line with database ids only.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot import identity
from bot.calendar import session_of_uid
from bot.context import Context
from bot.interactions import invitations
from bot.interactions.errors import Refused
from bot.mail.imap import AsyncFolder, ImapError, ImapTarget, imap_target, parse_imap_url
from bot.models import Invitation, MailReply, Person, Session, Trajectory

log = logging.getLogger(__name__)

ANSWERS = {"ACCEPTED": "yes", "DECLINED": "no", "TENTATIVE": "maybe"}
BATCH = 50  # mails per run; the next run goes on
HANDLED = ("recorded", "unchanged")  # these mails are marked \Seen


class Unreadable(Exception):
    """A calendar part that is not a usable iTIP reply (the reason, no personal data)."""


@dataclass(frozen=True)
class Reply:
    uid: str
    sequence: int
    attendee: str  # the address, lower case
    partstat: str
    comment: str | None


# -- reading a mail ---------------------------------------------------------------------


def _is_calendar(part: EmailMessage) -> bool:
    if part.get_content_type() in ("text/calendar", "application/ics"):
        return True
    filename = (part.get_filename() or "").lower()
    return filename.endswith(".ics")


def _payload(part: EmailMessage) -> bytes:
    raw = part.get_payload(decode=True)
    if raw is None:
        raise Unreadable("calendar part without content")
    return raw


def _one_reply(data: bytes) -> list[Reply]:
    """The replies in one calendar part; [] when it is not a REPLY (an invitation, ...)."""
    try:
        cal = Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError, KeyError, ... on bad input
        raise Unreadable(f"calendar part does not parse ({type(exc).__name__})") from exc
    if str(cal.get("method", "")).upper() != "REPLY":
        return []
    try:
        return [_reply(event) for event in cal.walk("VEVENT")]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # odd values inside a parsed calendar
        raise Unreadable(f"calendar reply has odd values ({type(exc).__name__})") from exc


def _reply(event) -> Reply:
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees] if attendees is not None else []
    if not event.get("uid") or len(attendees) != 1:
        raise Unreadable("a REPLY needs a UID and exactly one ATTENDEE")
    address = str(attendees[0])
    if not address.lower().startswith("mailto:"):
        raise Unreadable("the ATTENDEE is not a mailto: address")
    try:
        sequence = int(event.get("sequence", 0))
    except (TypeError, ValueError) as exc:
        raise Unreadable("SEQUENCE is not a number") from exc
    comment = event.get("comment")
    return Reply(
        uid=str(event["uid"]),
        sequence=sequence,
        attendee=address[len("mailto:"):].strip().lower(),
        partstat=str(attendees[0].params.get("PARTSTAT", "")).upper(),
        comment=str(comment) if comment is not None else None,
    )


def parse_replies(raw: bytes) -> list[Reply]:
    """Every iTIP reply in a mail, once per (UID, attendee); the last one wins."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        # walk() goes into forwarded messages (message/rfc822) too
        parts = [_payload(p) for p in message.walk() if not p.is_multipart() and _is_calendar(p)]
    except Unreadable:
        raise
    except Exception as exc:  # the parser is lenient; odd headers can still raise on access
        raise Unreadable(f"mail does not parse ({type(exc).__name__})") from exc
    replies: dict[tuple[str, str], Reply] = {}
    for data in parts:
        for reply in _one_reply(data):
            replies[(reply.uid, reply.attendee)] = reply
    return list(replies.values())


def message_key(raw: bytes) -> str:
    """The Message-ID, or a digest of the mail when it has none."""
    headers = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
    message_id = " ".join((headers.get("Message-ID") or "").split())
    if message_id:
        return message_id[:255]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


# -- recording an answer ------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    name: str  # recorded | unchanged | stale | foreign_uid | stranger | cancelled | ...
    invitation_id: int | None = None
    detail: str = ""  # database ids only, for the log line


async def _invitation(ctx: Context, reply: Reply) -> Outcome | tuple[int, str]:
    """(invitation id, the invitee's address as stored) for a reply, or why there is none."""
    keys = session_of_uid(reply.uid)
    if keys is None:
        return Outcome("foreign_uid")
    async with ctx.db.sessionmaker() as s:
        session = (
            await s.execute(
                select(Session).join(Trajectory, Trajectory.id == Session.trajectory_id)
                .where(Trajectory.key == keys[0], Session.key == keys[1])
            )
        ).scalar_one_or_none()
        if session is None:
            return Outcome("foreign_uid")
        if reply.sequence < session.sequence:
            return Outcome("stale", None, f" (session {session.id}, sequence {reply.sequence} < {session.sequence})")
        found = (
            await s.execute(
                select(Invitation.id, Person.email).join(Person, Person.id == Invitation.person_id)
                .where(Invitation.session_id == session.id, func.lower(Person.email) == reply.attendee)
            )
        ).first()
        if found is None:
            return Outcome("stranger", None, f" (session {session.id})")
        return found[0], found[1]


async def record(ctx: Context, reply: Reply, ref: str) -> Outcome:
    """Record one reply as the invitee's RSVP, through the same use case as a button."""
    value = ANSWERS.get(reply.partstat)
    if value is None:
        return Outcome("unsupported_partstat")
    found = await _invitation(ctx, reply)
    if isinstance(found, Outcome):
        return found
    invitation_id, address = found
    try:
        done = await invitations.answer(ctx, identity.email(address), invitation_id, value)
    except Refused as exc:
        name = "cancelled" if exc.key == "rsvp.cancelled" else "refused"
        return Outcome(name, invitation_id, f" (invitation {invitation_id}: {exc.key})")
    if reply.comment:
        log.debug("%s: invitation %d reply comment (an RSVP keeps no note): %r", ref, invitation_id, reply.comment[:500])
    return Outcome("recorded" if done.changed else "unchanged", invitation_id, f" (invitation {invitation_id})")


# -- the job -------------------------------------------------------------------------------


async def _outcome(ctx: Context, raw: bytes | None, key: str, ref: str) -> Outcome:
    if raw is None:
        return Outcome("unreadable", None, " (gone, or too big to be a reply)")
    async with ctx.db.sessionmaker() as s:
        seen = (await s.execute(select(MailReply.id).where(MailReply.message_key == key).limit(1))).scalar_one_or_none()
    if seen is not None:
        return Outcome("duplicate", None, f" (as mail record {seen})")
    try:
        replies = parse_replies(raw)
    except Unreadable as exc:
        return Outcome("unreadable", None, f" ({exc})")
    if not replies:
        return Outcome("no_reply")
    results = [await record(ctx, reply, ref) for reply in replies]
    return next((r for r in results if r.name in HANDLED), results[-1])


async def _handle(ctx: Context, target: ImapTarget, folder: AsyncFolder, uid: int) -> str:
    ref = f"mail {uid}"  # the mail's IMAP UID: no address in the log
    raw = await folder.fetch(uid)
    key = message_key(raw) if raw is not None else f"imap:{target.name}:{folder.uidvalidity}:{uid}"[:255]
    outcome = await _outcome(ctx, raw, key, ref)
    async with ctx.db.transaction() as s:
        try:
            async with s.begin_nested():
                s.add(MailReply(
                    mailbox=target.name[:512], uidvalidity=folder.uidvalidity, uid=uid, message_key=key,
                    outcome=outcome.name, invitation_id=outcome.invitation_id, received_at=ctx.now(),
                ))
        except IntegrityError:
            return "duplicate"  # another process handled it meanwhile
    if outcome.name in HANDLED:
        log.info("%s: calendar reply %s%s", ref, outcome.name, outcome.detail)
        await folder.mark_seen(uid)
    else:
        log.info("%s: %s%s; nothing changed, left in the folder", ref, outcome.name.replace("_", " "), outcome.detail)
    return outcome.name


async def read_replies(ctx: Context, url: str | None = None) -> dict[str, int]:
    """Read the new mail in the IMAP folder once; returns outcome -> number of mails."""
    url = url or ctx.settings.imap_url
    if not url:
        return {}
    counts: dict[str, int] = {}
    try:
        target = parse_imap_url(url) if isinstance(url, str) else imap_target(url)
        async with AsyncFolder(target) as folder:
            async with ctx.db.sessionmaker() as s:
                last = (
                    await s.execute(
                        select(func.max(MailReply.uid))
                        .where(MailReply.mailbox == target.name[:512], MailReply.uidvalidity == folder.uidvalidity)
                    )
                ).scalar_one_or_none() or 0
            for uid in await folder.new_uids(last, BATCH):
                outcome = await _handle(ctx, target, folder, uid)
                counts[outcome] = counts.get(outcome, 0) + 1
    except ImapError as exc:
        log.warning("calendar replies not read: %s", exc)
    return counts
