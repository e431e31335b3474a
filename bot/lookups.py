"""Finding people's Slack accounts for the importer, and trying again later.

A look-up that failed for now (rate limit, Slack hiccup; the finder already paced and
retried it) is no "not found": the person keeps ``lookup_error`` = the reason, the
import says so, and a ``lookup_retry`` task makes the bot look them up again later
(with growing pauses).  The same task reads a Teams roster again that ``koppel`` could
not read to its end (``bot.teams.relookup``): every platform that can look again is in
``ctx.relookups``.  When nobody is left to retry on a platform, or after the last try,
the trekkers get one message per platform: who was found after all, who is not there,
who still could not be looked up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat import ChatError
from bot.context import Context
from bot.models import Person, ScheduledTask, Trajectory
from bot.people_port import PlatformUnavailable

log = logging.getLogger(__name__)

NOT_FOUND = "users_not_found"
TASK = "lookup_retry"
RETRY_AFTER = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))


@dataclass
class Found:
    ids: dict[str, str | None] = field(default_factory=dict)  # e-mail -> Slack id (None: not found)
    errors: dict[str, str] = field(default_factory=dict)  # e-mail -> why the look-up failed for now
    skipped: bool = False  # no Slack configured: nothing looked up


async def lookup_people(ctx: Context, tf, known: dict[str, str | None], progress: Callable = lambda *a: None) -> Found:
    """Slack ids by e-mail for the file's people not linked yet (paced by the finder).
    ``PlatformUnavailable`` (token refused, Slack unreachable) stops the import."""
    finder = ctx.finders.get("slack")
    found = Found(ids=dict(known))
    if finder is None:
        found.skipped = True
        return found
    todo = [p for p in tf.people if not found.ids.get(p.email) and p.platform not in ("teams", "email")]
    progress("lookup", 0, len(todo))
    for done, person in enumerate(todo, 1):
        try:
            found.ids[person.email] = await finder.find(person.email)
        except ChatError as exc:
            log.warning("lookup of a person failed for now: %s", exc.code)
            found.ids[person.email] = None
            found.errors[person.email] = exc.code if not exc.permanent else NOT_FOUND
        progress("lookup", done, len(todo))
    return found


async def schedule_retry(s: AsyncSession, ctx: Context, trajectory_id: int, attempt: int = 0) -> None:
    """Plan try ``attempt``; a first try is not planned twice (an import and a ``koppel``
    that both left people unresolved share one series of tries)."""
    if attempt == 0:
        open_task = select(ScheduledTask.id).where(
            ScheduledTask.kind == TASK, ScheduledTask.ref_id == trajectory_id, ScheduledTask.done_at.is_(None)
        )
        if (await s.execute(open_task.limit(1))).first() is not None:
            return
    due = ctx.now() + RETRY_AFTER[attempt]
    s.add(ScheduledTask(key=f"{TASK}:{trajectory_id}:{attempt}:{due.isoformat()}", kind=TASK, ref_id=trajectory_id, due_at=due))


@dataclass
class Outcome:
    """What one platform's new look-up came to (names of people)."""

    found: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    still: list[str] = field(default_factory=list)  # failed for now again


def _pending(trajectory_id: int):
    return select(Person).where(
        Person.trajectory_id == trajectory_id,
        Person.active.is_(True),
        Person.slack_user_id.is_(None),
        Person.lookup_error.is_not(None),
        Person.lookup_error != NOT_FOUND,
    )


async def retry_slack(ctx: Context, trajectory_id: int) -> Outcome:
    """Look up in Slack the people whose look-up failed for now (``ctx.relookups["slack"]``)."""
    finder = ctx.finders.get("slack")
    if finder is None:
        return Outcome()
    async with ctx.db.sessionmaker() as s:
        people = [(p.id, p.email) for p in (await s.execute(_pending(trajectory_id))).scalars()]
    results: dict[int, tuple[str | None, str | None]] = {}  # id -> (slack id, lookup_error)
    for person_id, email in people:
        try:
            user_id = await finder.find(email)
            results[person_id] = (user_id, None if user_id else NOT_FOUND)
        except ChatError as exc:
            results[person_id] = (None, NOT_FOUND if exc.permanent else exc.code)
    if not results:
        return Outcome()
    async with ctx.db.transaction() as s:
        rows = {p.id: p for p in (await s.execute(_pending(trajectory_id))).scalars()}
        for person_id, (user_id, error) in results.items():
            if person_id in rows:
                rows[person_id].slack_user_id, rows[person_id].lookup_error = user_id, error
        return Outcome(
            found=sorted(p.name for p in rows.values() if p.slack_user_id),
            not_found=sorted(p.name for p in rows.values() if p.lookup_error == NOT_FOUND),
            still=sorted(p.name for p in rows.values() if p.lookup_error not in (None, NOT_FOUND)),
        )


async def retry(ctx: Context, trajectory_id: int, attempt: int) -> None:
    """Look up again, on every platform, the people whose look-up failed for now; the
    trekkers hear what came of it once nobody is left to retry there, or after the last try."""
    last = attempt + 1 >= len(RETRY_AFTER)
    for platform, again in ctx.relookups.items():
        try:
            outcome = await again(trajectory_id)
        except PlatformUnavailable as exc:  # the platform itself is away: the next try looks again
            log.warning("looking people up again stopped: %s %s", platform, exc.reason)
            continue
        if outcome.still and not last:
            continue  # the next try is planned already (``_start``)
        await _tell(ctx, trajectory_id, platform, outcome)


async def _tell(ctx: Context, trajectory_id: int, platform: str, outcome: Outcome) -> None:
    from bot.services.notify import tell_trekkers

    if not (outcome.found or outcome.not_found or outcome.still):
        return
    async with ctx.db.transaction() as s:
        trajectory = await s.get(Trajectory, trajectory_id)
        data = {"trajectory": trajectory.title, "platform": platform, "found": sorted(outcome.found),
                "not_found": sorted(outcome.not_found), "still": sorted(outcome.still)}
        key = f"{TASK}:{trajectory.id}:{platform}:{ctx.now().isoformat()}"
        await tell_trekkers(s, ctx, trajectory, key=key, template="lookup_report", data=data)


async def _start(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    """The sweep: run the retry in the background (look-ups are paced, slow on purpose).
    The next try is planned now, so a crash during this one loses nothing; a try that
    finds nobody left to look up does nothing."""
    attempt = int(task.key.split(":")[2])
    if attempt + 1 < len(RETRY_AFTER):
        await schedule_retry(s, ctx, task.ref_id, attempt + 1)
    ctx.jobs.start(f"{TASK}:{task.ref_id}", retry(ctx, task.ref_id, attempt))
    return "started"


HANDLERS = {TASK: _start}
