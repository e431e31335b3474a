"""Attendance interactions: the trekker's "Wie was er?" form after a session (opened
from the button on the question message, or from the dashboard's timeline) and its
answer.  Platform-neutral: Slack shows it as a modal, Teams as a card form, e-mail and
the dashboard as a web form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.context import Context
from bot.identity import User
from bot.interactions import actors
from bot.interactions.codec import parse_id
from bot.interactions.errors import Refused
from bot.models import Session
from bot.services import attendance


@dataclass(frozen=True)
class AttendanceForm:
    """What the form carries back: which session."""

    VERSION: ClassVar[int] = 1
    session_id: int


async def _session(s, ctx: Context, user: User, session_id) -> Session:
    """The session whose attendance a trekker may say: not cancelled, begun."""
    session = await s.get(Session, parse_id(session_id)) if parse_id(session_id) else None
    if session is None:
        raise Refused("attendance.unknown_session")
    trajectory = await actors.trajectory(s, session.trajectory_id)
    await actors.trekker(s, trajectory, user)
    if session.cancelled:
        raise Refused("command.session_cancelled", title=session.title)
    if session.starts_at > ctx.now():
        raise Refused("attendance.not_started", title=session.title)
    return session


async def open_form(ctx: Context, user: User, session_id) -> dict:
    """The form's view-model (``form``: its context); trekkers only."""
    async with ctx.db.sessionmaker() as s:
        session = await _session(s, ctx, user, session_id)
        vm = await attendance.form_vm(s, session)
    return {**vm, "form": AttendanceForm(session.id)}


async def record(ctx: Context, user: User, form: AttendanceForm, present: list[str]) -> attendance.Recorded:
    """Save who came; Refused (not a trekker, no such session) or Problems (not invited)."""
    ids = [parse_id(x) for x in present]
    async with ctx.db.transaction() as s:
        session = await _session(s, ctx, user, form.session_id)
        return await attendance.record(s, ctx, session, [i if i is not None else -1 for i in ids])
