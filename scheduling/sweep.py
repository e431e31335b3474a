"""The sweep: find due work in indexed rows and turn it into outbox messages.

Each round claims a batch of due tasks with ``FOR UPDATE SKIP LOCKED`` (two
processes never take the same task), runs the handler for the task's kind in the
same transaction, and marks the task done.  Cost follows the due work, not the
size of the database: the query walks the partial index on open ``due_at``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import lookups
from bot.context import Context
from bot.models import ScheduledTask
from bot.services import (
    attendance,
    commitment_reminders,
    evaluation_tasks,
    invite_runs,
    memos,
    session_reminders,
    signoff,
    summary,
)

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Context, ScheduledTask], Awaitable[str | None]]  # None: keep open
HANDLERS: dict[str, Handler] = {
    **session_reminders.HANDLERS,
    **commitment_reminders.HANDLERS,
    **memos.HANDLERS,
    **evaluation_tasks.HANDLERS,
    **summary.HANDLERS,
    **signoff.HANDLERS,
    **attendance.HANDLERS,
    **invite_runs.HANDLERS,
    **lookups.HANDLERS,
}
BATCH = 200
RETRY_AFTER = timedelta(minutes=5)


def register(kind: str, handler: Handler) -> None:
    HANDLERS[kind] = handler


async def sweep_once(ctx: Context, limit: int = BATCH) -> int:
    """Handle one batch of due tasks; returns how many were handled."""
    now = ctx.now()
    async with ctx.db.transaction() as s:
        tasks = (
            await s.execute(
                select(ScheduledTask)
                .where(ScheduledTask.done_at.is_(None), ScheduledTask.due_at <= now)
                .order_by(ScheduledTask.due_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).scalars().all()
        for task in tasks:
            if task.expires_at is not None and task.expires_at <= now:
                outcome = "expired"
            elif task.kind not in HANDLERS:
                outcome = "unknown_kind"
                log.error("no handler for scheduled task kind %s", task.kind)
            else:
                try:
                    async with s.begin_nested():
                        outcome = await HANDLERS[task.kind](s, ctx, task)
                except Exception:
                    # Keep the task: it is tried again in a few minutes, not lost.
                    log.exception("scheduled task %s failed; retrying later", task.key)
                    task.due_at = now + RETRY_AFTER
                    continue
                if outcome is None:  # the handler keeps the task open (it set a new due_at)
                    continue
            task.done_at = now
            task.outcome = outcome
    return len(tasks)


async def sweep(ctx: Context) -> int:
    """Handle everything that is due now."""
    total = 0
    while True:
        handled = await sweep_once(ctx)
        total += handled
        if handled < BATCH:
            break
    if total:
        ctx.wake_dispatcher()
    return total
