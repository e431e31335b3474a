"""The trekker's dashboard page over real HTTP: a large trajectory against a 10-person
one, side by side in one run.

Large: 200 organisations, 2,000 people, 50 sessions (10,000 invitations), 1,000
commitments, 20,000 evaluation answers (the generator of ``bench/summary.py``).  Each
bot runs behind its own aiohttp server on loopback; the trekker signs in through the
one-time link like a browser (GET the link, POST its button, keep the cookie), then
``GET /dashboard/bench`` is timed.  Rounds alternate between the two so machine noise
hits both alike.  Prints the SQL statements per page for both (target: the same
count, no N+1), the time to first byte and the total time, and the time ratio.

    python bench/dashboard.py [--rounds 7]

Last line: ``dashboard_time_ratio: X.XX (target <= 3)``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bot.app import bootstrap, web_app  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.models import Person  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.web import dashboard_auth  # noqa: E402
from summary import NOW, StatementCounter, migrate, populate  # noqa: E402  (bench/summary.py)

SIZES = {"small": (3, 10, 4, 5, 20), "large": (200, 2000, 50, 1000, 20000)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """One bot (its own SQLite file) behind its own HTTP server, signed in."""

    def __init__(self, name: str, folder: Path):
        self.name, self.folder = name, folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.cookie = ""

    async def start(self) -> None:
        url = f"sqlite:///{self.folder}/{self.name}.db"
        await migrate(url)
        settings = load_settings({"DATABASE_URL": url, "PUBLIC_URL": self.base, "SECRET_KEY": "bench-secret"}, dotenv=False)
        self.bot = bootstrap(settings, clock=ManualClock(NOW), chats={})
        started = time.perf_counter()
        self.trajectory = await populate(self.bot.ctx.db, *SIZES[self.name])
        size = SIZES[self.name]
        print(f"{self.name}: {size[0]} organisations, {size[1]} people, {size[2]} sessions, {size[3]} commitments, "
              f"{size[4]} answers (populated in {time.perf_counter() - started:.1f} s)")
        self.counter = StatementCounter(self.bot.ctx.db)
        self.runner = web.AppRunner(web_app(self.bot, run_background=False), access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def sign_in(self, http: aiohttp.ClientSession) -> None:
        async with self.bot.ctx.db.sessionmaker() as s:
            trekker = (await s.execute(select(Person).where(Person.trajectory_id == self.trajectory).order_by(Person.id))).scalars().first()
        link = await dashboard_auth.sign_in_link(self.bot.ctx, trekker, "slack")
        async with http.get(link) as r:
            csrf = re.search(r'name="csrf" value="([^"]+)"', await r.text()).group(1)
        async with http.post(link, data={"csrf": csrf}, allow_redirects=False) as r:
            assert r.status == 303, r.status
            self.cookie = r.cookies[dashboard_auth.COOKIE].value

    async def page(self, http: aiohttp.ClientSession) -> tuple[float, float, int, int]:
        """(time to first byte, total time, SQL statements, bytes) of one dashboard page."""
        before = self.counter.count
        start = time.perf_counter()
        async with http.get(f"{self.base}/dashboard/bench", headers={"Cookie": f"{dashboard_auth.COOKIE}={self.cookie}"}) as r:
            first = time.perf_counter() - start
            body = await r.read()
            assert r.status == 200, (r.status, body[:300])
        total = time.perf_counter() - start
        return first, total, self.counter.count - before, len(body)

    async def stop(self) -> None:
        await self.runner.cleanup()
        await self.bot.ctx.db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    sites = {name: Site(name, folder) for name in SIZES}
    try:
        async with aiohttp.ClientSession() as http:
            for site in sites.values():
                await site.start()
                await site.sign_in(http)
            for site in sites.values():  # warm up (imports, template compilation, fonts)
                await site.page(http)
            firsts: dict[str, list[float]] = {n: [] for n in sites}
            totals: dict[str, list[float]] = {n: [] for n in sites}
            statements: dict[str, int] = {}
            sizes: dict[str, int] = {}
            for round_no in range(args.rounds):
                for name in (("small", "large") if round_no % 2 == 0 else ("large", "small")):
                    first, total, count, size = await sites[name].page(http)
                    firsts[name].append(first)
                    totals[name].append(total)
                    statements[name], sizes[name] = count, size
    except Exception as exc:  # the headline says n/a; the script still exits 0
        print(f"run failed: {type(exc).__name__}: {exc}")
        print("dashboard_time_ratio: n/a (target <= 3)")
        return
    finally:
        for site in sites.values():
            if hasattr(site, "runner"):
                await site.stop()
    for name in sites:
        print(f"{name:>5}: time to first byte median {statistics.median(firsts[name]) * 1e3:.0f} ms, "
              f"total median {statistics.median(totals[name]) * 1e3:.0f} ms, {statements[name]} SQL statements per page, "
              f"{sizes[name] / 1024:.0f} KiB")
    print(f"same statement count: {statements['small'] == statements['large']}")
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)")
    ratio = statistics.median(totals["large"]) / statistics.median(totals["small"])
    print(f"dashboard_time_ratio: {ratio:.2f} (target <= 3)")


if __name__ == "__main__":
    asyncio.run(main())
