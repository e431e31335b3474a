"""Background work the app owns (a large invitation run): asyncio tasks by name.

A job must be safe to run again: its progress lives in the database (a
``scheduled_task`` row that the sweep resumes after a crash), so cancelling one at
shutdown loses nothing."""

from __future__ import annotations

import asyncio
import logging
from typing import Coroutine

log = logging.getLogger(__name__)


class Jobs:
    def __init__(self) -> None:
        self._running: dict[str, asyncio.Task] = {}

    def start(self, name: str, work: Coroutine) -> asyncio.Task:
        """Run ``work`` in the background; a job of that name already running is kept."""
        if name in self._running:
            work.close()
            return self._running[name]
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._running[name] = task
        task.add_done_callback(lambda done: self._finished(name, done))
        return task

    def _finished(self, name: str, task: asyncio.Task) -> None:
        if self._running.get(name) is task:
            del self._running[name]
        if not task.cancelled() and task.exception() is not None:
            log.error("background job %s failed; it is resumed later", name, exc_info=task.exception())

    def running(self) -> list[str]:
        return list(self._running)

    async def idle(self) -> None:
        """Wait until no job runs (tests, benchmarks)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel every job (shutdown; the sweep resumes their work)."""
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
