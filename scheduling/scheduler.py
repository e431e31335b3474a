"""APScheduler wiring: fixed job ids, module-level job functions."""

from __future__ import annotations

from datetime import datetime, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.context import Context
from scheduling.sweep import sweep

SWEEP_JOB = "sweep"


async def sweep_job(ctx: Context) -> None:
    await sweep(ctx)


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
    scheduler.start()
    return scheduler
