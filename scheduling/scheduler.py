"""APScheduler wiring: fixed job ids, module-level job functions."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete

from bot.context import Context
from bot.models import ProcessedEvent
from scheduling.sweep import sweep

SWEEP_JOB = "sweep"
CLEANUP_JOB = "cleanup"
EVENT_MEMORY = timedelta(days=1)  # Slack retries an event within minutes
MAIL_REPLIES_JOB = "mail_replies"
MAIL_REPLIES_EVERY = 60.0  # seconds at least between two looks into the IMAP folder


async def sweep_job(ctx: Context) -> None:
    await sweep(ctx)


async def cleanup_job(ctx: Context) -> None:
    """Forget delivered event ids once Slack can no longer retry them."""
    async with ctx.db.transaction() as s:
        await s.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < ctx.now() - EVENT_MEMORY))


async def mail_replies_job(ctx: Context) -> None:
    """Calendar answers (iTIP replies) from the IMAP folder, when IMAP_URL is set."""
    from bot.mail.replies import read_replies

    await read_replies(ctx)


def start_scheduler(ctx: Context) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        sweep_job,
        "interval",
        seconds=ctx.settings.scheduler_interval,
        id=SWEEP_JOB,
        replace_existing=True,
        args=[ctx],
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(timezone.utc),  # catch up at once after downtime
    )
    scheduler.add_job(cleanup_job, "interval", hours=1, id=CLEANUP_JOB, replace_existing=True, args=[ctx], max_instances=1, coalesce=True)
    if ctx.settings.imap_url:
        every = max(ctx.settings.scheduler_interval, MAIL_REPLIES_EVERY)
        scheduler.add_job(
            mail_replies_job, "interval", seconds=every, id=MAIL_REPLIES_JOB, replace_existing=True, args=[ctx],
            max_instances=1, coalesce=True,
        )
    scheduler.start()
    return scheduler


async def stop_scheduler(scheduler: AsyncIOScheduler, timeout: float = 10.0) -> None:
    """Stop after the running jobs end: APScheduler 3's shutdown cancels a running
    coroutine job mid-transaction and logs that with a traceback."""
    scheduler.pause()  # no new runs
    executor = scheduler._lookup_executor("default")
    running = [f for f in getattr(executor, "_pending_futures", ()) if not f.done()]
    if running:
        await asyncio.wait(running, timeout=timeout)
    scheduler.shutdown(wait=False)
