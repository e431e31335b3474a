"""The dashboard's downloads: evaluation answers (xlsx, with the export's anonymity
rules), commitments per organisation (xlsx) and the calendar feed of all sessions (.ics).

Each checks the trekker (``dashboard_data.trajectory_of``) and raises ``Refused`` when the
data do not allow the file; the rules are the services' (``evaluation_results.hidden``,
``export_table``; ``invitations.calendar_event``; ``bot.export`` writes the workbook)."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import export
from bot.calendar import build_feed
from bot.context import Context
from bot.i18n import t
from bot.identity import User
from bot.interactions.errors import Refused
from bot.models import Person, Session, Trajectory
from bot.services import directory, evaluation_results, evaluations, exports, invitations
from bot.web import dashboard_auth, dashboard_data


@dataclass(frozen=True)
class File:
    content: bytes
    filename: str


async def evaluation_answers(ctx: Context, user: User, key: str, session_key: str) -> File:
    async with ctx.db.sessionmaker() as s:
        trajectory, actor = await dashboard_data.trajectory_of(s, key, user)
        lang = actor.language or trajectory.language or "nl"
        session = await directory.session_by_key(s, trajectory.id, session_key)
        ev = await evaluations.find(s, session.id) if session is not None else None
        if ev is None:
            raise Refused("dashboard.files.no_evaluation")
        await exports.check_handout(s, ctx, ev, session, trajectory, lang)
        cfg = evaluations.config(trajectory)
        table = await evaluation_results.export_table(s, session, cfg.threshold, ctx.now())
    content = export.render(table, "xlsx", trajectory.timezone, session.title, lang)
    return File(content, export.filename(session.key, "xlsx"))


COMMITMENT_COLUMNS = ("organisation", "owner", "key", "description", "due", "status", "done_at")


async def commitments(ctx: Context, user: User, key: str) -> File:
    from openpyxl import Workbook

    async with ctx.db.sessionmaker() as s:
        trajectory, actor = await dashboard_data.trajectory_of(s, key, user)
        rows = await dashboard_data.commitments_of(s, trajectory)
    lang = actor.language or trajectory.language or "nl"
    book = Workbook()
    sheet = book.active
    sheet.title = t(lang, "dashboard.files.commitments_sheet")[:31]
    sheet.append([t(lang, f"dashboard.files.col.{c}") for c in COMMITMENT_COLUMNS])
    zone = ZoneInfo(trajectory.timezone)
    for c in rows:
        sheet.append([
            c["organisation"], c["owner"], c["key"], c["description"], c["due"],
            t(lang, f"dashboard.status_word.{c['status']}"),
            c["done_at"].astimezone(zone).replace(tzinfo=None) if c["done_at"] else None,
        ])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: no formula from a description
    out = io.BytesIO()
    book.save(out)
    return File(out.getvalue(), f"afspraken-{trajectory.key}.xlsx")


async def calendar_feed(ctx: Context, feed: str) -> File | None:
    """Every session of the trekker's trajectory (cancelled ones as CANCELLED), or None
    when the feed token is unknown or its person is no longer an active trekker."""
    person_id = dashboard_auth.feed_person(ctx, feed)
    if person_id is None:
        return None
    async with ctx.db.sessionmaker() as s:
        person = await s.get(Person, person_id)
        if person is None or not person.active or not person.has_role("trekker"):
            return None
        trajectory = await s.get(Trajectory, person.trajectory_id)
        sessions = (await s.execute(select(Session).where(Session.trajectory_id == trajectory.id).order_by(Session.starts_at))).scalars().all()
        events = [replace(await invitations.calendar_event(s, ctx, x), organizer_email=None, attendee_email=None) for x in sessions]
    return File(build_feed(events, trajectory.title), f"{trajectory.key}.ics")
