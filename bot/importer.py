"""Apply a trajectory file to the database: update in place by key, send nothing twice.

Re-importing the same file changes nothing, and never resets what people did in chat
(answers, commitment status, sign-offs, reads, attendance, the phase: ``phases.reconcile``).
A session whose time, place or title changed gets a higher calendar SEQUENCE and its
invitees are told; one marked ``cancelled: true`` (or dropped) is cancelled, with notice.

Progress goes to an optional ``progress(stage, done, total)`` (stages: ``lookup``,
``organisations``, ``people``, ``sessions``, ``commitments``); the importer never prints.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import lookups, outbox
from bot.bulk import insert_ignore
from bot.context import Context
from bot.identity import reached_by
from bot.models import Commitment, CommitmentEvent, Invitation, Organisation, Person, Phase, Session, Trajectory
from bot.services import attendance, commitments, evaluations, invitations, phases, summary
from bot.trajectory_file import SessionSpec, TrajectoryFile

log = logging.getLogger(__name__)

CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "location", "agenda")
NOTICE_FIELDS = ("starts_at", "ends_at", "location")
FLUSH_EVERY = 100  # people written per flush
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _quiet(stage: str, done: int, total: int) -> None:  # no progress shown
    return None


@dataclass
class ImportReport:
    key: str
    created: bool = False
    changed: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    unreachable: list[tuple[str, str]] = field(default_factory=list)  # nowhere to reach them
    unresolved: list[tuple[str, str]] = field(default_factory=list)  # Slack look-up failed for now: retried later
    reached: dict[str, int] = field(default_factory=dict)  # slack | teams | email | nowhere -> people
    lookup_skipped: bool = False
    moved: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)  # (name, email): no longer in the file
    notices: int = 0
    phase_kept: tuple[int, int] | None = None  # (recorded, in file): the phase stays
    phase_moved: tuple[int, int] | None = None  # (from, to): --phase-from-file


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


async def import_file(
    ctx: Context, tf: TrajectoryFile, dry_run: bool = False, progress: Progress | None = None, phase_from_file: bool = False
) -> ImportReport:
    progress = progress or _quiet
    spec = tf.trajectory
    async with ctx.db.sessionmaker() as s:
        existing = (await s.execute(select(Trajectory).where(Trajectory.key == spec.key))).scalar_one_or_none()
        known: dict[str, str | None] = {}
        if existing is not None:
            rows = await s.execute(select(Person.email, Person.slack_user_id).where(Person.trajectory_id == existing.id))
            known = {email: uid for email, uid in rows}
    found = await lookups.lookup_people(ctx, tf, known, progress)

    async with ctx.db.sessionmaker() as s:
        await s.begin()
        try:
            report = await _apply(s, ctx, tf, found, progress, phase_from_file)
            report.lookup_skipped = found.skipped
            if dry_run:
                await s.rollback()
            else:
                await s.commit()
        except BaseException:
            await s.rollback()
            raise
    if report.notices and not dry_run:
        ctx.wake_dispatcher()
    return report


async def _apply(
    s: AsyncSession, ctx: Context, tf: TrajectoryFile, found: lookups.Found, progress: Progress, phase_from_file: bool = False
) -> ImportReport:
    spec = tf.trajectory
    report = ImportReport(spec.key)
    trajectory = (await s.execute(select(Trajectory).where(Trajectory.key == spec.key))).scalar_one_or_none()
    if trajectory is None:
        trajectory = Trajectory(key=spec.key)
        s.add(trajectory)
        report.created = True
    reminders = {name: getattr(spec.reminders, name) for name in spec.reminders.__dataclass_fields__}
    changed = _assign(
        trajectory,
        {
            "title": spec.title,
            "theme": spec.theme,
            "language": spec.language,
            "timezone": spec.timezone,
            "status_channels": _status_channels(spec.status_channels, trajectory.status_channels),
            "summary_weekday": spec.summary.weekday if spec.summary else None,
            "summary_time": spec.summary.time.strftime("%H:%M") if spec.summary else None,
            **({"current_phase": spec.current_phase} if report.created else {}),
            "reminders": reminders,
            "retention_days": spec.retention_days,
            "source_file": tf.path,
        },
    )
    await s.flush()

    changed |= await _phases(s, trajectory, tf)
    differs = None if report.created else await phases.reconcile(s, ctx, trajectory, spec.current_phase, phase_from_file)
    if differs:
        report.phase_moved, report.phase_kept = (differs, None) if phase_from_file else (None, differs)
        changed |= phase_from_file
    organisations, org_changed = await _organisations(s, ctx, trajectory, tf, progress)
    people, people_changed = await _people(s, trajectory, tf, organisations, found, report, progress)
    sessions_changed = await _sessions(s, ctx, trajectory, tf, report, progress)
    commitments_changed = await _commitments(s, ctx, trajectory, tf, organisations, people, progress)
    forms_changed = await evaluations.sync_forms(s, trajectory, tf.evaluation_forms)
    await evaluations.schedule_openings(s, ctx, trajectory)
    await attendance.schedule(s, ctx, trajectory)
    await summary.schedule(s, ctx, trajectory)
    report.changed = (
        changed or org_changed or people_changed or sessions_changed or commitments_changed or forms_changed or report.created
    )
    if report.changed:
        trajectory.updated_at = ctx.now()
    if report.unresolved:  # the bot looks them up again later and tells the trekkers
        await lookups.schedule_retry(s, ctx, trajectory.id)
    report.counts = {
        "organisations": len(tf.organisations),
        "people": len(tf.people),
        "sessions": len(tf.sessions),
        "commitments": len(tf.commitments),
    }
    return report


def _status_channels(in_file: list[str], current: list[str] | None) -> list[str]:
    """The file's channels, plus Teams channels linked in chat with ``koppel`` (the file
    cannot know a Teams channel id; ``ontkoppel`` in the channel removes it)."""
    linked = [c for c in current or [] if c.startswith("teams:") and c not in in_file and c[len("teams:"):] not in in_file]
    return list(in_file) + linked


async def _phases(s: AsyncSession, trajectory: Trajectory, tf: TrajectoryFile) -> bool:
    rows = {p.number: p for p in (await s.execute(select(Phase).where(Phase.trajectory_id == trajectory.id))).scalars()}
    changed = False
    for number, phase in tf.phases.items():
        row = rows.get(number)
        if row is None:
            row = Phase(trajectory_id=trajectory.id, number=number)
            s.add(row)
            changed = True
        changed |= _assign(row, {"name": phase.name, "starting_point": phase.starting_point, "result": phase.result})
    return changed


async def _organisations(
    s: AsyncSession, ctx: Context, trajectory: Trajectory, tf: TrajectoryFile, progress: Progress
) -> tuple[dict[str, Organisation], bool]:
    rows = {
        o.key: o for o in (await s.execute(select(Organisation).where(Organisation.trajectory_id == trajectory.id))).scalars()
    }
    changed = False
    progress("organisations", 0, len(tf.organisations))
    for done, spec in enumerate(tf.organisations, 1):
        row = rows.get(spec.key)
        if row is None:
            row = Organisation(trajectory_id=trajectory.id, key=spec.key, joined_at=ctx.now())
            s.add(row)
            rows[spec.key] = row
            changed = True
        changed |= _assign(row, {"name": spec.name, "kind": spec.kind})
        progress("organisations", done, len(tf.organisations))
    await s.flush()
    return rows, changed


async def _people(
    s: AsyncSession,
    trajectory: Trajectory,
    tf: TrajectoryFile,
    organisations: dict[str, Organisation],
    found: lookups.Found,
    report: ImportReport,
    progress: Progress,
) -> tuple[dict[str, Person], bool]:
    """People by e-mail: changed rows updated in place, new ones in one insert."""
    rows = {p.email: p for p in (await s.execute(select(Person).where(Person.trajectory_id == trajectory.id))).scalars()}
    changed = False
    new: list[dict[str, Any]] = []
    progress("people", 0, len(tf.people))
    for done, spec in enumerate(tf.people, 1):
        row = rows.get(spec.email)
        slack_id = found.ids.get(spec.email) or (row.slack_user_id if row is not None else None)
        values = {
            "name": spec.name,
            "organisation_id": organisations[spec.organisation].id,
            "roles": list(spec.roles),
            "language": spec.language,
            "platform": spec.platform,
            "active": True,
            "slack_user_id": slack_id,
            "lookup_error": None if slack_id or spec.platform in ("teams", "email") else found.errors.get(spec.email, lookups.NOT_FOUND),
        }
        if row is None:
            new.append({"trajectory_id": trajectory.id, "email": spec.email, **values})
        else:
            changed |= _assign(row, values)
        where = reached_by(row if row is not None else Person(email=spec.email, **values))
        if values["lookup_error"] not in (None, lookups.NOT_FOUND):
            report.unresolved.append((spec.name, spec.email))
        elif where is None and spec.platform != "teams":
            report.unreachable.append((spec.name, spec.email))
        report.reached[where or "nowhere"] = report.reached.get(where or "nowhere", 0) + 1
        if done % FLUSH_EVERY == 0:
            progress("people", done, len(tf.people))
    in_file = {spec.email for spec in tf.people}
    for email, row in rows.items():
        if email not in in_file and row.active:
            row.active = False
            report.removed.append((row.name, email))
            changed = True
    await s.flush()
    if new:
        await insert_ignore(s, Person, new, ["trajectory_id", "email"])
        query = select(Person).where(Person.trajectory_id == trajectory.id, Person.email.in_([p["email"] for p in new]))
        rows.update({p.email: p for p in (await s.execute(query)).scalars()})
        changed = True
    progress("people", len(tf.people), len(tf.people))
    return rows, changed


def _session_values(spec: SessionSpec, cancelled: bool) -> dict[str, Any]:
    invite = {"roles": list(spec.invite.roles), "organisations": list(spec.invite.organisations), "people": list(spec.invite.people)}
    return {
        "kind": spec.kind,
        "title": spec.title,
        "phase": spec.phase,
        "starts_at": spec.starts,
        "ends_at": spec.ends,
        "location": spec.location,
        "agenda": spec.agenda,
        "invite": invite,
        "evaluation_form": spec.evaluation,
        "cancelled": cancelled,
    }


async def _sessions(
    s: AsyncSession, ctx: Context, trajectory: Trajectory, tf: TrajectoryFile, report: ImportReport, progress: Progress
) -> bool:
    rows = {x.key: x for x in (await s.execute(select(Session).where(Session.trajectory_id == trajectory.id))).scalars()}
    changed = False
    wanted: dict[str, dict[str, Any]] = {spec.key: _session_values(spec, spec.cancelled) for spec in tf.sessions}
    for key, row in rows.items():
        if key not in wanted and not row.cancelled:
            wanted[key] = {"cancelled": True}  # dropped from the file: cancelled
    for done, (key, values) in enumerate(wanted.items()):
        progress("sessions", done, len(wanted))  # before: the loop below may `continue`
        row = rows.get(key)
        if row is None:
            row = Session(trajectory_id=trajectory.id, key=key, sequence=0, ics_token=invitations.new_ics_token(), **values)
            s.add(row)
            changed = True
            continue
        before = {name: getattr(row, name) for name in (*CALENDAR_FIELDS, "cancelled")}
        if not _assign(row, values):
            continue
        changed = True
        calendar_change = any(before[n] != getattr(row, n) for n in (*CALENDAR_FIELDS, "cancelled"))
        if not calendar_change:
            continue
        row.sequence += 1
        if row.cancelled and not before["cancelled"]:
            report.cancelled.append(key)
            report.notices += await _tell_invitees(s, ctx, row, "session_cancelled", "cancel")
        elif any(before[n] != getattr(row, n) for n in NOTICE_FIELDS) or before["cancelled"]:
            report.moved.append(key)
            report.notices += await _tell_invitees(s, ctx, row, "session_changed", "changed")
        else:
            await _tell_invitees(s, ctx, row, None, None)
    progress("sessions", len(wanted), len(wanted))
    await s.flush()
    return changed


async def _tell_invitees(s: AsyncSession, ctx: Context, session: Session, template: str | None, prefix: str | None) -> int:
    """Refresh every sent invitation; with a template, also send a notice and a new calendar file."""
    if session.invited_at is None:
        return 0
    trajectory = await s.get(Trajectory, session.trajectory_id)
    sent = (
        await s.execute(
            select(Invitation)
            .where(Invitation.session_id == session.id, Invitation.invited_at.is_not(None))
            .options(selectinload(Invitation.person), selectinload(Invitation.session))
        )
    ).scalars().all()
    await invitations.drop_open_tasks(s, [inv.id for inv in sent])
    base = await invitations.session_context(s, session)
    send_at = ctx.send_time(trajectory.timezone)
    notices = 0
    for inv in sent:
        await invitations.refresh_invitation_message(s, ctx, inv, session_changed=True)
        if not session.cancelled:
            await invitations.schedule_reminders(s, ctx, trajectory, session, inv)
        if template is None or not inv.person.reachable:
            continue
        notice, created = await outbox.enqueue(
            s,
            key=f"{prefix}:{session.id}:{inv.person_id}:{session.sequence}",
            op="direct",
            template=template,
            data=invitations.invitation_vm(ctx, base, session, inv, inv.person),
            person=inv.person,
            now=ctx.now(),
            not_before=send_at,
        )
        await invitations.enqueue_calendar_file(s, ctx, session, inv.person, send_at, after=notice)
        notices += int(created)
    return notices


async def _commitments(
    s: AsyncSession,
    ctx: Context,
    trajectory: Trajectory,
    tf: TrajectoryFile,
    organisations: dict[str, Organisation],
    people: dict[str, Person],
    progress: Progress,
) -> bool:
    """Commitments by key; their live status is never overwritten by the file."""
    rows = {c.key: c for c in (await s.execute(select(Commitment).where(Commitment.trajectory_id == trajectory.id))).scalars()}
    in_file = {spec.key for spec in tf.commitments}
    touched: list[Commitment] = []
    new: list[dict[str, Any]] = []
    progress("commitments", 0, len(tf.commitments))
    for done, spec in enumerate(tf.commitments, 1):
        row = rows.get(spec.key)
        values = {
            "organisation_id": organisations[spec.organisation].id,
            "owner_id": people[spec.owner].id,
            "description": spec.description,
            "due": spec.due,
            "phase": spec.phase,
        }
        if row is None:
            new.append(_new_commitment(trajectory, spec.key, values))
        else:
            old_owner = row.owner_id
            if not _assign(row, values):
                continue
            if row.owner_id != old_owner:
                row.message_key = None
                row.last_reminded_on = None
            touched.append(row)
        if done % FLUSH_EVERY == 0:
            progress("commitments", done, len(tf.commitments))
    for key, row in rows.items():
        if key not in in_file and row.source == "file" and row.status != "not_applicable":
            s.add(CommitmentEvent(commitment_id=row.id, actor_id=None, at=ctx.now(), from_status=row.status,
                                  to_status="not_applicable", note=None))  # actor None: the file
            row.status = "not_applicable"
            touched.append(row)
    await s.flush()  # one batch of updates
    if new:
        await insert_ignore(s, Commitment, new, ["trajectory_id", "key"])
        query = select(Commitment).where(Commitment.trajectory_id == trajectory.id, Commitment.key.in_([c["key"] for c in new]))
        touched += (await s.execute(query)).scalars().all()
    await commitments.reschedule_many(s, ctx, touched, trajectory)
    progress("commitments", len(tf.commitments), len(tf.commitments))
    return bool(touched)


def _new_commitment(trajectory: Trajectory, key: str, values: dict[str, Any]) -> dict[str, Any]:
    """A commitment row for a bulk insert: every column, as the model's defaults have them."""
    row = Commitment(trajectory_id=trajectory.id, key=key, status="open", source="file", **values)
    return {c.key: getattr(row, c.key) for c in Commitment.__table__.columns if c.key != "id"}
