"""Phase 3: organisations sign the proposal / cooperation agreement.

Each organisation's bestuurders (or, when it has none, its ambassadors) are asked.
A decision records who, when and on behalf of which organisation; only people of
that organisation (bestuurder or ambassadeur) can make or change it, until the
deadline.  Organisations that have not decided are reminded 7 and 2 days before
the deadline.  When all have agreed, the status channel hears it once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import outbox
from bot.context import Context
from bot.identity import User, matches
from bot.interactions.errors import Problem, Problems, Refused
from bot.limits import NOTE_LIMIT, TITLE_LIMIT
from bot.models import Organisation, OutboxMessage, Person, ScheduledTask, SignOffEvent, SignOffRequest, SignOffRound, Trajectory
from bot.services import channels
from bot.services.notify import tell_trekkers
from bot.services.invitations import add_task

TASK = "signoff_reminder"
REMINDER_DAYS = (7, 2)
REMINDER_HOUR = 10
URL = re.compile(r"^https?://[^\s<>|]+$")
SIGNER_ROLES = ("bestuurder", "ambassadeur")


def today_in(ctx: Context, trajectory: Trajectory) -> date:
    return ctx.now().astimezone(ZoneInfo(trajectory.timezone)).date()


# -- starting a round -------------------------------------------------------------------


def check_start(title: str, link: str, organisation_ids: list[int | None], deadline: date | None, today: date, known: set[int]) -> None:
    """The start form's fields (title, link, organisations, deadline); raises Problems."""
    problems = {}
    if not title.strip():
        problems["title"] = Problem("signoff.errors.title")
    elif len(title) > TITLE_LIMIT:
        problems["title"] = Problem("signoff.errors.title_long", {"limit": TITLE_LIMIT})
    if not URL.match(link.strip()):
        problems["link"] = Problem("signoff.errors.link")
    if not organisation_ids or not set(organisation_ids) <= known:
        problems["organisations"] = Problem("signoff.errors.organisations")
    if deadline is None or deadline <= today:
        problems["deadline"] = Problem("signoff.errors.deadline")
    if problems:
        raise Problems(problems)


def check_note(note: str) -> str:
    """A reason for "Niet akkoord" or a question: not empty, not too long."""
    note = (note or "").strip()
    if not note:
        raise Problems.one("note", "signoff.errors.note")
    if len(note) > NOTE_LIMIT:
        raise Problems.one("note", "signoff.errors.note_long", limit=NOTE_LIMIT)
    return note


def signers(organisation: Organisation, people: list[Person]) -> list[Person]:
    """The bestuurders of the organisation, or its ambassadors when it has none."""
    mine = [p for p in people if p.organisation_id == organisation.id and p.active]
    board = [p for p in mine if p.has_role("bestuurder")]
    return board or [p for p in mine if p.has_role("ambassadeur")]


@dataclass
class Started:
    round: SignOffRound
    sent: int = 0
    unreachable: list[str] = field(default_factory=list)
    without_signer: list[str] = field(default_factory=list)


async def start(
    s: AsyncSession, ctx: Context, trajectory: Trajectory, actor: Person, title: str, link: str, organisation_ids: list[int], deadline: date
) -> Started:
    rnd = SignOffRound(
        trajectory_id=trajectory.id, title=title.strip(), link=link.strip(), deadline=deadline, created_by_id=actor.id, created_at=ctx.now()
    )
    s.add(rnd)
    await s.flush()
    organisations = (
        await s.execute(select(Organisation).where(Organisation.id.in_(organisation_ids)).order_by(Organisation.name))
    ).scalars().all()
    people = (await s.execute(select(Person).where(Person.trajectory_id == trajectory.id))).scalars().all()
    result = Started(rnd)
    for org in organisations:
        request = SignOffRequest(round_id=rnd.id, organisation_id=org.id, decision="pending")
        s.add(request)
        await s.flush()
        asked = signers(org, people)
        if not asked:
            result.without_signer.append(org.name)
        for person in asked:
            if not person.reachable:
                result.unreachable.append(person.name)
                continue
            await outbox.enqueue(
                s,
                key=f"signoff:{rnd.id}:{org.id}:{person.id}",
                op="direct",
                template="signoff_request",
                data=request_vm(rnd, request, org, trajectory, person.name),
                person=person,
                now=ctx.now(),
                not_before=ctx.send_time(trajectory.timezone),
            )
            result.sent += 1
    zone = ZoneInfo(trajectory.timezone)
    for days in REMINDER_DAYS:
        day = deadline - timedelta(days=days)
        due = datetime(day.year, day.month, day.day, REMINDER_HOUR, tzinfo=zone)
        if due > ctx.now():
            await add_task(s, f"{TASK}:{rnd.id}:{days}", TASK, rnd.id, due)
    return result


def request_vm(rnd: SignOffRound, request: SignOffRequest, org: Organisation, trajectory: Trajectory, name: str, decided_by: str | None = None) -> dict:
    return {
        "request_id": request.id,
        "trajectory": trajectory.title,
        "title": rnd.title,
        "link": rnd.link,
        "deadline": rnd.deadline.isoformat(),
        "organisation": org.name,
        "name": name,
        "decision": request.decision,
        "decided_by": decided_by,
        "reason": request.reason,
    }


# -- deciding ---------------------------------------------------------------------------


async def load(s: AsyncSession, request_id: int | None) -> SignOffRequest | None:
    if not request_id:
        return None
    return (
        await s.execute(
            select(SignOffRequest)
            .where(SignOffRequest.id == request_id)
            .options(selectinload(SignOffRequest.round), selectinload(SignOffRequest.organisation))
        )
    ).scalar_one_or_none()


def may_sign(person: Person) -> bool:
    """A bestuurder or ambassadeur may decide for their organisation."""
    return any(person.has_role(r) for r in SIGNER_ROLES)


@dataclass
class Signer:
    """Who may decide for the request's organisation, with the request and trajectory."""

    request: SignOffRequest
    trajectory: Trajectory
    person: Person


async def signer(s: AsyncSession, ctx: Context, request_id: int | None, user: User, *, in_time: bool = True) -> Signer:
    """The acting bestuurder or ambassadeur of the request's organisation; anyone else is
    refused, and so is everyone after the deadline (unless ``in_time`` is False)."""
    request = await load(s, request_id)
    if request is None:
        raise Refused("signoff.unknown")
    trajectory = await s.get(Trajectory, request.round.trajectory_id)
    actor = (
        await s.execute(select(Person).where(Person.trajectory_id == trajectory.id, matches(user), Person.active.is_(True)))
    ).scalars().first()
    if actor is None or actor.organisation_id != request.organisation_id or not may_sign(actor):
        raise Refused("signoff.refused")
    if in_time and today_in(ctx, trajectory) > request.round.deadline:
        raise Refused("signoff.too_late")
    return Signer(request, trajectory, actor)


async def decide(s: AsyncSession, ctx: Context, request_id: int | None, user: User, decision: str, reason: str | None = None) -> bool:
    """Agree or decline (with a reason) for the organisation; True when this completed the
    round.  Raises Refused (not a signer, too late, unknown) or Problems (the reason)."""
    if decision not in ("agreed", "declined"):
        raise ValueError(decision)
    who = await signer(s, ctx, request_id, user)
    reason = check_note(reason or "") if decision == "declined" else None
    request, trajectory, actor = who.request, who.trajectory, who.person
    request.decision = decision
    request.decided_by_id = actor.id
    request.decided_at = ctx.now()
    request.reason = reason
    request.revision += 1
    s.add(SignOffEvent(request_id=request.id, actor_id=actor.id, at=ctx.now(), kind=decision, note=reason))
    await s.flush()
    await _refresh_messages(s, ctx, request, trajectory, actor)
    if decision == "declined":
        data = request_vm(request.round, request, request.organisation, trajectory, actor.name, actor.name)
        await tell_trekkers(s, ctx, trajectory, key=f"signoff-declined:{request.id}:{request.revision}", template="signoff_declined", data=data)
    return await _complete_if_all_agreed(s, ctx, request.round, trajectory)


async def ask(s: AsyncSession, ctx: Context, request_id: int | None, user: User, question: str) -> SignOffEvent:
    """``Vraag stellen``: the question goes to the trekker(s) at once."""
    who = await signer(s, ctx, request_id, user)
    question = check_note(question)
    request, trajectory, actor = who.request, who.trajectory, who.person
    event = SignOffEvent(request_id=request.id, actor_id=actor.id, at=ctx.now(), kind="question", note=question)
    s.add(event)
    await s.flush()
    data = request_vm(request.round, request, request.organisation, trajectory, actor.name, actor.name) | {"question": question, "asker": actor.name}
    await tell_trekkers(s, ctx, trajectory, key=f"signoff-question:{event.id}", template="signoff_question", data=data)
    return event


async def _refresh_messages(s: AsyncSession, ctx: Context, request: SignOffRequest, trajectory: Trajectory, actor: Person) -> None:
    """Every asked person of the organisation sees the decision in their own message."""
    prefix = f"signoff:{request.round_id}:{request.organisation_id}:"
    originals = (await s.execute(select(OutboxMessage).where(OutboxMessage.key.like(prefix + "%")))).scalars().all()
    for original in originals:
        person = await s.get(Person, original.person_id) if original.person_id else None
        await outbox.enqueue(
            s,
            key=f"signoff-rev:{request.id}:{request.revision}:{original.id}",
            op="update",
            template="signoff_request",
            data=request_vm(request.round, request, request.organisation, trajectory, person.name if person else "", actor.name),
            person=person,
            now=ctx.now(),
            update_of=original,
        )


async def _complete_if_all_agreed(s: AsyncSession, ctx: Context, rnd: SignOffRound, trajectory: Trajectory) -> bool:
    decisions = (await s.execute(select(SignOffRequest.decision).where(SignOffRequest.round_id == rnd.id))).scalars().all()
    if rnd.completed_at is not None or not decisions or any(d != "agreed" for d in decisions):
        return False
    rnd.completed_at = ctx.now()
    names = (
        await s.execute(
            select(Organisation.name).join(SignOffRequest, SignOffRequest.organisation_id == Organisation.id).where(SignOffRequest.round_id == rnd.id).order_by(Organisation.name)
        )
    ).scalars().all()
    data = {"trajectory": trajectory.title, "title": rnd.title, "link": rnd.link, "organisations": list(names)}
    await channels.post(s, ctx, trajectory, f"signoff-complete:{rnd.id}", "signoff_complete", data)
    return True


# -- reminders --------------------------------------------------------------------------


async def on_reminder_task(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    rnd = await s.get(SignOffRound, task.ref_id)
    if rnd is None or rnd.completed_at is not None:
        return "obsolete"
    trajectory = await s.get(Trajectory, rnd.trajectory_id)
    pending = (
        await s.execute(
            select(SignOffRequest)
            .where(SignOffRequest.round_id == rnd.id, SignOffRequest.decision == "pending")
            .options(selectinload(SignOffRequest.organisation), selectinload(SignOffRequest.round))
        )
    ).scalars().all()
    people = (await s.execute(select(Person).where(Person.trajectory_id == trajectory.id))).scalars().all()
    sent = 0
    for request in pending:
        for person in signers(request.organisation, people):
            if person.reachable:
                await outbox.enqueue(
                    s,
                    key=f"signoff-reminder:{task.key}:{request.id}:{person.id}",
                    op="direct",
                    template="signoff_reminder",
                    data=request_vm(rnd, request, request.organisation, trajectory, person.name),
                    person=person,
                    now=ctx.now(),
                    not_before=ctx.send_time(trajectory.timezone),
                )
                sent += 1
    return "sent" if sent else "nothing_pending"


HANDLERS = {TASK: on_reminder_task}
