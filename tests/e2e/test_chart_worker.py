"""The summary chart is drawn in a worker process: the bot's own process never loads
matplotlib (issue 15, point 3), and a worker that died is replaced."""

from __future__ import annotations

import os
import signal
import sys

from bot import chart_worker
from tests.e2e.test_summary import TREKKER, png_size, summaries


async def test_the_chart_is_drawn_outside_the_bot_process(harness):
    h = harness
    assert "matplotlib" not in sys.modules, "something in this test process loaded matplotlib before the test"
    await h.import_example()
    await h.command(TREKKER, "status")
    await h.drain()
    assert len(summaries(h)) == 1
    [stored] = h.emu.files.values()
    png_size(stored["bytes"])
    assert "matplotlib" not in sys.modules
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
    assert "matplotlib" not in sys.modules
