"""The summary chart is drawn in a worker process: the bot's own process never loads
matplotlib (issue 15, point 3), and a worker that died is replaced."""

from __future__ import annotations

import os
import signal
import sys

from bot import chart_worker
from tests.e2e.test_summary import TREKKER, png_size, summaries


def _not_here(*args, **kwargs):
    raise AssertionError("a chart was drawn in the bot's own process")


async def test_the_chart_is_drawn_outside_the_bot_process(harness, monkeypatch):
    h = harness
    # Other tests in this pytest worker may have drawn charts in-process (bot.chart's own
    # tests): then matplotlib is loaded already and only the spy below can tell.
    fresh = "matplotlib" not in sys.modules
    import bot.chart

    monkeypatch.setattr(bot.chart, "render_png", _not_here)  # the spawned worker has its own
    await h.import_example()
    await h.command(TREKKER, "status")
    await h.drain()
    assert len(summaries(h)) == 1
    [stored] = h.emu.files.values()
    png_size(stored["bytes"])
    assert not fresh or "matplotlib" not in sys.modules
    [worker] = chart_worker._executor()._processes.values()
    assert worker.pid != os.getpid()

    # The worker is killed (out of memory, say): the next chart gets a new one.
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(10)
    h.clock.advance(days=1)
    await h.command(TREKKER, "status")
    await h.drain()
    assert len(h.emu.files) == 2
    assert all(png_size(f["bytes"]) for f in h.emu.files.values())
    assert not fresh or "matplotlib" not in sys.modules
