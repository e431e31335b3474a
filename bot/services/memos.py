"""Memos: a trekker writes one, checks the preview, sends it; readers press *Gelezen*.

A memo is a draft until the trekker confirms the preview.  Sending writes one
recipient row and one outbox row per person in a single transaction (with the
memo's status change), so a memo to 500 people is one command, a crash before
the commit sends nothing, and a crash after it sends each message once (the
outbox keys ``memo:<memo>:<person>`` are unique).  One optional reminder goes to
those who have not pressed *Gelezen* after ``reminder_days``.

Writing the draft (the form's choices and rules) is in :mod:`bot.services.memo_drafts`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import outbox
from bot.context import Context
from bot.identity import User, is_user
from bot.interactions.errors import Refused
from bot.models import (
    Invitation,
    Memo,
    MemoRecipient,
    OutboxMessage,
    Person,
    ScheduledTask,
    Session,
    Trajectory,
)
from bot.services import directory
from bot.services.invitations import add_task

TASK_REMIND = "memo_reminder"


def memo_key(memo_id: int, person_id: int) -> str:
    return f"memo:{memo_id}:{person_id}"


def reminder_key(memo_id: int, person_id: int) -> str:
    return f"memo-remind:{memo_id}:{person_id}"


# -- audience ---------------------------------------------------------------------


async def audience_of(s: AsyncSession, memo: Memo) -> list[Person]:
    """Everyone the memo goes to (active people, the author left out), by organisation and name."""
    people = (
        await s.execute(
            select(Person)
            .where(Person.trajectory_id == memo.trajectory_id, Person.active.is_(True))
            .options(selectinload(Person.organisation))
        )
    ).scalars().all()
    audience = memo.audience or {}
    kind = audience.get("kind")
    if kind == "roles":
        roles = set(audience.get("roles") or [])
        chosen = [p for p in people if roles.intersection(p.roles or [])]
    elif kind == "organisations":
        keys = set(audience.get("organisations") or [])
        chosen = [p for p in people if p.organisation.key in keys]
    elif kind == "session":
        session = await s.get(Session, memo.session_id) if memo.session_id else None
        if session is None:
            return []
        ids = {p.id for p in await directory.invitees(s, session)}
        ids |= set(
            (
                await s.execute(
                    select(Invitation.person_id).where(Invitation.session_id == session.id, Invitation.invited_at.is_not(None))
                )
            ).scalars()
        )
        chosen = [p for p in people if p.id in ids]
    else:
        chosen = list(people)
    chosen = [p for p in chosen if p.id != memo.author_id]
    chosen.sort(key=lambda p: (p.organisation.name.casefold(), p.name.casefold()))
    return chosen


# -- view-models ------------------------------------------------------------------


async def message_vm(s: AsyncSession, memo: Memo) -> dict:
    """The parts of the memo message that are the same for every recipient."""
    trajectory = await s.get(Trajectory, memo.trajectory_id)
    author = await s.get(Person, memo.author_id) if memo.author_id else None
    session = await s.get(Session, memo.session_id) if memo.session_id else None
    return {
        "memo_id": memo.id,
        "title": memo.title,
        "body": memo.body,
        "author": author.name if author else "",
        "trajectory": trajectory.title,
        "timezone": trajectory.timezone,
        "report": memo.report if session is not None else None,
        "session": (
            {"title": session.title, "starts": session.starts_at.isoformat(), "ends": session.ends_at.isoformat()}
            if session is not None
            else None
        ),
        "recipient_id": None,
        "read_at": None,
    }


async def preview_vm(s: AsyncSession, ctx: Context, memo: Memo) -> dict:
    people = await audience_of(s, memo)
    reachable = [p for p in people if p.reachable]
    trajectory = await s.get(Trajectory, memo.trajectory_id)
    return {
        "memo_id": memo.id,
        "message": await message_vm(s, memo),
        "count": len(reachable),
        "organisations": len({p.organisation_id for p in reachable}),
        "unreachable": [p.name for p in people if not p.reachable],
        "reminder_days": memo.reminder_days,
        "send_at": ctx.send_time(trajectory.timezone).isoformat(),
        "now": ctx.now().isoformat(),
    }


# -- sending ----------------------------------------------------------------------


@dataclass
class SendResult:
    memo: Memo
    sent: int = 0
    unreachable: list[str] = field(default_factory=list)
    send_at: datetime | None = None


class AlreadySent(Refused):
    """The draft was sent already (a second press of "Versturen")."""


async def load_own_draft(s: AsyncSession, memo_id: int | None, user: User, lock: bool = False) -> Memo:
    """The acting trekker's own unsent draft; anything else is Refused."""
    query = select(Memo).where(Memo.id == (memo_id or 0))
    if lock:
        query = query.with_for_update()
    memo = (await s.execute(query)).scalar_one_or_none()
    if memo is None:
        raise Refused("memo.errors.unknown")
    author = await s.get(Person, memo.author_id) if memo.author_id else None
    if author is None or not is_user(author, user) or not author.has_role("trekker") or not author.active:
        raise Refused("memo.errors.not_yours")
    if memo.status != "draft":
        raise AlreadySent("memo.errors.already_sent")
    return memo


async def check_reachable(s: AsyncSession, memo: Memo) -> None:
    """Refused when nobody in the memo's audience can be reached."""
    if not any(p.reachable for p in await audience_of(s, memo)):
        raise Refused("memo.errors.nobody")


async def send(s: AsyncSession, ctx: Context, memo_id: int | None, user: User) -> SendResult:
    """Send a confirmed draft to its whole audience, all in the caller's transaction."""
    memo = await load_own_draft(s, memo_id, user, lock=True)
    trajectory = await s.get(Trajectory, memo.trajectory_id)
    people = await audience_of(s, memo)
    reachable = [p for p in people if p.reachable]
    if not reachable:
        raise Refused("memo.errors.nobody")
    result = SendResult(memo=memo, unreachable=[p.name for p in people if not p.reachable])
    now = ctx.now()
    result.send_at = ctx.send_time(trajectory.timezone)
    recipients = [MemoRecipient(memo_id=memo.id, person_id=p.id) for p in reachable]
    s.add_all(recipients)
    await s.flush()
    base = await message_vm(s, memo)
    messages = []
    for person, recipient in zip(reachable, recipients):
        data = dict(base, recipient_id=recipient.id)
        messages.append(
            dict(
                key=memo_key(memo.id, person.id),
                op="direct",
                template="memo",
                data=data,
                person=person,
                not_before=result.send_at,
            )
        )
    created = await outbox.enqueue_many(s, messages, now=now)
    result.sent = len(created)
    memo.status = "sent"
    memo.sent_at = now
    if memo.reminder_days:
        await add_task(s, f"memo-remind:{memo.id}", TASK_REMIND, memo.id, result.send_at + timedelta(days=memo.reminder_days))
    author = await s.get(Person, memo.author_id)
    await outbox.enqueue(
        s,
        key=f"memo-sent:{memo.id}",
        op="direct",
        template="memo_sent",
        data={
            "memo_id": memo.id,
            "title": memo.title,
            "count": result.sent,
            "unreachable": result.unreachable,
            "timezone": trajectory.timezone,
            "send_at": result.send_at.isoformat(),
            "later": result.send_at > now,
            "reminder_days": memo.reminder_days,
        },
        person=author,
        now=now,
    )
    return result


# -- Gelezen ----------------------------------------------------------------------


async def _own_recipient(s: AsyncSession, recipient_id: int | None, user: User, lock: bool) -> MemoRecipient:
    """The recipient row of ``user``; anyone else (or an unknown id) is Refused."""
    query = (
        select(MemoRecipient)
        .where(MemoRecipient.id == (recipient_id or 0))
        .options(selectinload(MemoRecipient.person), selectinload(MemoRecipient.memo))
    )
    recipient = (await s.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if recipient is None or recipient.memo.status != "sent":
        raise Refused("memo.read_errors.unknown")
    if not is_user(recipient.person, user):
        raise Refused("memo.read_errors.not_yours")
    return recipient


async def recipient_view(s: AsyncSession, recipient_id: int | None, user: User) -> dict:
    """The memo as its recipient sees it (read or not), without marking it read."""
    recipient = await _own_recipient(s, recipient_id, user, lock=False)
    read_at = recipient.read_at.isoformat() if recipient.read_at else None
    return dict(await message_vm(s, recipient.memo), recipient_id=recipient.id, read_at=read_at)


async def mark_read(s: AsyncSession, ctx: Context, recipient_id: int | None, user: User) -> dict:
    """*Gelezen* by the recipient (once; pressing again changes nothing): the memo as the
    recipient now sees it.  Anyone else's press is Refused."""
    recipient = await _own_recipient(s, recipient_id, user, lock=True)
    person, memo = recipient.person, recipient.memo
    if recipient.read_at is not None:
        return dict(await message_vm(s, memo), recipient_id=recipient.id, read_at=recipient.read_at.isoformat())
    recipient.read_at = ctx.now()
    await outbox.withdraw(s, reminder_key(memo.id, person.id))
    data = dict(await message_vm(s, memo), recipient_id=recipient.id, read_at=recipient.read_at.isoformat())
    for prefix, key in (("memo-read", memo_key(memo.id, person.id)), ("memo-remind-read", reminder_key(memo.id, person.id))):
        await outbox.revise(s, original_key=key, key=f"{prefix}:{recipient.id}", data=data, person=person, now=ctx.now())
    return data


# -- who has read it --------------------------------------------------------------


async def read_overview(s: AsyncSession, ctx: Context, trajectory: Trajectory, memo_id: int | None = None, limit: int = 3) -> dict:
    """The latest sent memos (or one), with read counts per organisation and names."""
    query = select(Memo).where(Memo.trajectory_id == trajectory.id, Memo.status == "sent")
    if memo_id is not None:
        query = query.where(Memo.id == memo_id)
    memos = (await s.execute(query.order_by(Memo.sent_at.desc(), Memo.id.desc()).limit(limit))).scalars().all()
    items = []
    for memo in memos:
        rows = (
            await s.execute(
                select(MemoRecipient)
                .where(MemoRecipient.memo_id == memo.id)
                .options(selectinload(MemoRecipient.person).selectinload(Person.organisation))
            )
        ).scalars().all()
        failed = set(
            (
                await s.execute(
                    select(OutboxMessage.person_id).where(
                        OutboxMessage.key.like(f"memo:{memo.id}:%"), OutboxMessage.status.in_(("failed", "expired"))
                    )
                )
            ).scalars()
        )
        by_org: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"read": [], "unread": []})
        for r in sorted(rows, key=lambda r: r.person.name.casefold()):
            by_org[r.person.organisation.name]["read" if r.read_at else "unread"].append(r.person.name)
        items.append(
            {
                "memo_id": memo.id,
                "title": memo.title,
                "sent": memo.sent_at.isoformat(),
                "total": len(rows),
                "read": sum(1 for r in rows if r.read_at),
                "organisations": [
                    {"name": name, **names} for name, names in sorted(by_org.items(), key=lambda kv: kv[0].casefold())
                ],
                "undelivered": sorted(r.person.name for r in rows if r.person_id in failed),
            }
        )
    return {"trajectory": trajectory.title, "timezone": trajectory.timezone, "memos": items}


# -- due work ---------------------------------------------------------------------


async def task_remind(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    """One reminder to everyone whose memo arrived and who has not pressed Gelezen."""
    memo = await s.get(Memo, task.ref_id)
    if memo is None or memo.status != "sent":
        return "obsolete"
    trajectory = await s.get(Trajectory, memo.trajectory_id)
    unread = (
        await s.execute(
            select(MemoRecipient)
            .where(MemoRecipient.memo_id == memo.id, MemoRecipient.read_at.is_(None))
            .options(selectinload(MemoRecipient.person))
            .order_by(MemoRecipient.id)
        )
    ).scalars().all()
    delivered = set(
        (
            await s.execute(
                select(OutboxMessage.person_id).where(OutboxMessage.key.like(f"memo:{memo.id}:%"), OutboxMessage.status == "sent")
            )
        ).scalars()
    )
    base = await message_vm(s, memo)
    send_at = ctx.send_time(trajectory.timezone)
    messages = []
    for r in unread:
        if r.person_id not in delivered or not r.person.active or not r.person.reachable:
            continue
        r.reminded_at = ctx.now()
        messages.append(
            dict(
                key=reminder_key(memo.id, r.person_id),
                op="direct",
                template="memo_reminder",
                data=dict(base, recipient_id=r.id),
                person=r.person,
                not_before=send_at,
            )
        )
    created = await outbox.enqueue_many(s, messages, now=ctx.now())
    return f"sent:{len(created)}"


HANDLERS = {TASK_REMIND: task_remind}
