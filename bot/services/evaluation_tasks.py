"""The evaluations' due work: open shortly after the session (and prompt), one
reminder to who has not answered, and closing (the prompts say so, the trekkers get
the results).  The sweep runs these through ``HANDLERS``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import outbox
from bot.context import Context
from bot.models import Evaluation, EvaluationPrompt, OutboxMessage, ScheduledTask, Session, Trajectory
from bot.services.evaluation_answers import flush_pool
from bot.services.evaluation_results import results_vm
from bot.services.evaluations import (
    TASK_CLOSE,
    TASK_OPEN,
    TASK_REMIND,
    is_open,
    open_evaluation,
    prompt_vm,
    refresh_prompt,
    reminder_key,
    send_prompts,
)
from bot.services.notify import tell_trekkers


async def task_open(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    # Locked like ``/dialoog evaluatie`` locks it: the two never open the evaluation twice.
    session = (await s.execute(select(Session).where(Session.id == task.ref_id).with_for_update())).scalar_one_or_none()
    if session is None or session.cancelled or int(task.key.split(":")[2]) != session.sequence:
        return "obsolete"
    trajectory = await s.get(Trajectory, session.trajectory_id)
    ev = await open_evaluation(s, ctx, session, trajectory)
    if ev is None:
        return "no_form"
    result = await send_prompts(s, ctx, ev, session, trajectory)
    return "closed" if result.closed else "sent"


async def task_remind(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    ev = await s.get(Evaluation, task.ref_id)
    if ev is None or not is_open(ev, ctx.now()):
        return "closed"
    session = await s.get(Session, ev.session_id)
    trajectory = await s.get(Trajectory, session.trajectory_id)
    send_at = ctx.send_time(trajectory.timezone)
    waiting = (
        await s.execute(
            select(EvaluationPrompt)
            .where(EvaluationPrompt.evaluation_id == ev.id, EvaluationPrompt.responded.is_(False))
            .options(selectinload(EvaluationPrompt.person))
            .order_by(EvaluationPrompt.id)
        )
    ).scalars().all()
    delivered = set(
        (
            await s.execute(
                select(OutboxMessage.person_id).where(
                    OutboxMessage.key.like(f"eval-prompt:{ev.id}:%"), OutboxMessage.status == "sent"
                )
            )
        ).scalars()
    )
    sent = 0
    for prompt in waiting:
        person = prompt.person
        if prompt.person_id not in delivered or not person.reachable or not person.active:
            continue
        _, created = await outbox.enqueue(
            s,
            key=reminder_key(ev.id, person.id),
            op="direct",
            template="evaluation_reminder",
            data=prompt_vm(ev, session, trajectory, prompt, "open"),
            person=person,
            now=ctx.now(),
            not_before=send_at,
            expires_at=ev.closes_at,
        )
        sent += int(created)
    return f"sent:{sent}"


async def task_close(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    ev = await s.get(Evaluation, task.ref_id)
    if ev is None:
        return "obsolete"
    if ev.closed_at is not None:
        return "already"
    return await close(s, ctx, ev)


async def close(s: AsyncSession, ctx: Context, ev: Evaluation) -> str:
    """Close now: prompt messages say so, the pool of anonymous answers moves into the
    answers table, and every trekker gets the results."""
    ev.closed_at = ctx.now()
    await flush_pool(s, ev.id)
    session = await s.get(Session, ev.session_id)
    trajectory = await s.get(Trajectory, session.trajectory_id)
    prompts = (
        await s.execute(
            select(EvaluationPrompt).where(EvaluationPrompt.evaluation_id == ev.id).options(selectinload(EvaluationPrompt.person))
        )
    ).scalars().all()
    for prompt in prompts:
        await refresh_prompt(s, ctx, prompt, ev, session, trajectory, "closed")
    vm = await results_vm(s, ctx, ev, session, trajectory)
    await tell_trekkers(s, ctx, trajectory, key=f"eval-results:{ev.id}:closed", template="evaluation_results", data=vm)
    return "closed"


HANDLERS = {TASK_OPEN: task_open, TASK_REMIND: task_remind, TASK_CLOSE: task_close}
