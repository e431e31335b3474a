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
from bot.models import Organisation, OutboxMessage, Person, ScheduledTask, SignOffEvent, SignOffRequest, SignOffRound, Trajectory
from bot.services import channels
from bot.services.notify import tell_trekkers
from bot.services.invitations import add_task

TASK = "signoff_reminder"
REMINDER_DAYS = (7, 2)
REMINDER_HOUR = 10
TEXT_LIMIT = 1000
TITLE_LIMIT = 200
URL = re.compile(r"^https?://[^\s<>|]+$")
SIGNER_ROLES = ("bestuurder", "ambassadeur")


def today_in(ctx: Context, trajectory: Trajectory) -> date:
    return ctx.now().astimezone(ZoneInfo(trajectory.timezone)).date()


# -- starting a round -------------------------------------------------------------------


def validate(title: str, link: str, organisation_ids: list[int], deadline: date | None, today: date, known: set[int]) -> dict[str, str]:
    """Problems per field (title, link, organisations, deadline) as text keys."""
    errors = {}
    if not title.strip():
        errors["title"] = "signoff.errors.title"
    elif len(title) > TITLE_LIMIT:
        errors["title"] = "signoff.errors.title_long"
    if not URL.match(link.strip()):
        errors["link"] = "signoff.errors.link"
    if not organisation_ids or not set(organisation_ids) <= known:
        errors["organisations"] = "signoff.errors.organisations"
    if deadline is None or deadline <= today:
        errors["deadline"] = "signoff.errors.deadline"
    return errors


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


@dataclass
class Decision:
    ok: bool
    reason: str | None = None  # unknown | not_allowed | too_late | invalid
    request: SignOffRequest | None = None
    completed: bool = False


async def load(s: AsyncSession, request_id: int) -> SignOffRequest | None:
    return (
        await s.execute(
            select(SignOffRequest)
            .where(SignOffRequest.id == request_id)
            .options(selectinload(SignOffRequest.round), selectinload(SignOffRequest.organisation))
        )
    ).scalar_one_or_none()


async def _actor(s: AsyncSession, ctx: Context, request_id: int, user: User) -> tuple[Decision, Person | None, Trajectory | None]:
    request = await load(s, request_id)
    if request is None:
        return Decision(False, "unknown"), None, None
    trajectory = await s.get(Trajectory, request.round.trajectory_id)
    actor = (
        await s.execute(select(Person).where(Person.trajectory_id == trajectory.id, matches(user), Person.active.is_(True)))
    ).scalars().first()
    if actor is None or actor.organisation_id != request.organisation_id or not any(actor.has_role(r) for r in SIGNER_ROLES):
        return Decision(False, "not_allowed", request), None, trajectory
    if today_in(ctx, trajectory) > request.round.deadline:
        return Decision(False, "too_late", request), actor, trajectory
    return Decision(True, request=request), actor, trajectory


async def may_decide(s: AsyncSession, ctx: Context, request_id: int, user: User) -> Decision:
    return (await _actor(s, ctx, request_id, user))[0]


async def decide(s: AsyncSession, ctx: Context, request_id: int, user: User, decision: str, reason: str | None = None) -> Decision:
    if decision not in ("agreed", "declined"):
        raise ValueError(decision)
    result, actor, trajectory = await _actor(s, ctx, request_id, user)
    if not result.ok:
        return result
    reason = (reason or "").strip() or None
    if decision == "declined" and not reason:
        return Decision(False, "invalid", result.request)
    request = result.request
    request.decision = decision
    request.decided_by_id = actor.id
    request.decided_at = ctx.now()
    request.reason = reason if decision == "declined" else None
    request.revision += 1
    s.add(SignOffEvent(request_id=request.id, actor_id=actor.id, at=ctx.now(), kind=decision, note=reason))
    await s.flush()
    await _refresh_messages(s, ctx, request, trajectory, actor)
    if decision == "declined":
        data = request_vm(request.round, request, request.organisation, trajectory, actor.name, actor.name)
        await tell_trekkers(s, ctx, trajectory, key=f"signoff-declined:{request.id}:{request.revision}", template="signoff_declined", data=data)
    result.completed = await _complete_if_all_agreed(s, ctx, request.round, trajectory)
    return result


async def ask(s: AsyncSession, ctx: Context, request_id: int, user: User, question: str) -> Decision:
    """``Vraag stellen``: the question goes to the trekker(s) at once."""
    result, actor, trajectory = await _actor(s, ctx, request_id, user)
    if not result.ok:
        return result
    if not question.strip():
        return Decision(False, "invalid", result.request)
    request = result.request
    event = SignOffEvent(request_id=request.id, actor_id=actor.id, at=ctx.now(), kind="question", note=question.strip())
    s.add(event)
    await s.flush()
    data = request_vm(request.round, request, request.organisation, trajectory, actor.name, actor.name) | {"question": question.strip(), "asker": actor.name}
    await tell_trekkers(s, ctx, trajectory, key=f"signoff-question:{event.id}", template="signoff_question", data=data, at_once=True)
    return result


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
