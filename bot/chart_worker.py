"""Charts are drawn in a worker process, so matplotlib (tens of MB once loaded) never
loads in the web process.

One worker (``max_workers=1``), started on the first chart with the ``spawn`` context:
a fresh interpreter that imports only ``bot.chart`` and matplotlib, never a copy of the
web process with its database connections and sockets.  A worker that died (killed,
out of memory) is replaced once for the chart at hand.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

_pool: ProcessPoolExecutor | None = None


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


async def render(data: dict, lang: str) -> bytes:
    """The PNG of a summary chart (``bot.chart.render_for_outbox``), drawn in the worker."""
    from bot.chart import render_for_outbox

    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_executor(), render_for_outbox, data, lang)
    except BrokenProcessPool:
        shutdown()
        return await loop.run_in_executor(_executor(), render_for_outbox, data, lang)


def shutdown() -> None:
    """Stop the worker (the next chart starts a new one)."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
