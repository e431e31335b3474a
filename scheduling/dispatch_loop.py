"""The dispatcher's loop: rows are claimed as sending makes room, per operation.

There are no rounds: each operation (``slack:direct``, ``slack:update``, the checks of
rows in doubt, ...) has rows in flight up to its claim budget (what its pacer lets out in
``CLAIM_AHEAD``), and more are claimed when an operation is down to half of it.  So a
slow operation (updates at 50 a minute) never holds up a fast one, and a crash leaves
only about a budget's worth of claimed rows per operation in doubt.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

log = logging.getLogger(__name__)

MIN_IDLE = 0.25  # seconds; the shortest sleep of an idle dispatcher
MAX_BATCH = 200


async def run(dispatcher, idle_seconds: float) -> None:
    running: dict[asyncio.Task, str] = {}
    unsent: Counter = Counter()  # claimed rows whose call is not over yet, per lane
    room = asyncio.Event()
    try:
        while not dispatcher._stopping:
            dispatcher._wake.clear()  # before claiming: a wake() meanwhile is not lost
            room.clear()
            try:
                rows = await dispatcher._claim(MAX_BATCH, +unsent)
            except Exception:
                log.exception("dispatcher could not claim rows")
                rows = []
            for row in rows:
                lane = dispatcher.lane(row)
                unsent[lane] += 1
                sent = _on_sent(dispatcher, unsent, lane, room)
                running[asyncio.create_task(dispatcher.handle(row, sent))] = lane
            if running:
                await _until_room(dispatcher, running, room)
            else:
                await _idle(dispatcher, idle_seconds)
    except asyncio.CancelledError:  # killed: what is in flight stays "sending" (in doubt)
        for task in running:
            task.cancel()
        raise
    finally:  # stopped: the sends in flight finish and are recorded
        await asyncio.gather(*running, return_exceptions=True)


def _on_sent(dispatcher, unsent: Counter, lane: str, room: asyncio.Event):
    def sent() -> None:
        unsent[lane] -= 1
        if unsent[lane] <= dispatcher.claim_budget(lane) // 2:
            room.set()

    return sent


async def _until_room(dispatcher, running: dict[asyncio.Task, str], room: asyncio.Event) -> None:
    """Wait until some operation is down to half its budget, a wake-up, or MIN_IDLE (rows
    may have become due); finished tasks are taken out of ``running``."""
    waiters = [asyncio.create_task(dispatcher._wake.wait()), asyncio.create_task(room.wait())]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED, timeout=MIN_IDLE)
    finally:
        for waiter in waiters:
            waiter.cancel()
    for task in [t for t in running if t.done()]:
        running.pop(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox: sending a row failed", exc_info=task.exception())


async def _idle(dispatcher, idle_seconds: float) -> None:
    try:
        timeout = await _until_next_due(dispatcher, idle_seconds)
    except Exception:
        log.exception("dispatcher could not read the next due time")
        timeout = idle_seconds
    try:
        await asyncio.wait_for(dispatcher._wake.wait(), timeout=timeout)
    except asyncio.TimeoutError:
        pass


async def _until_next_due(dispatcher, idle_seconds: float) -> float:
    """Seconds to sleep: until the next pending row is due (a retry after Retry-After
    or a backoff), at most ``idle_seconds``, at least ``MIN_IDLE``."""
    due = await dispatcher.next_due()
    if due is None:
        return idle_seconds
    if due.tzinfo is None:
        due = due.replace(tzinfo=dispatcher.clock.now().tzinfo)
    return min(idle_seconds, max(MIN_IDLE, (due - dispatcher.clock.now()).total_seconds()))
