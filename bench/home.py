"""App Home and ``mijn`` for the trekker: a large trajectory against a small one, side
by side in one run, and the memory of the real web process.

Large: 200 organisations, 2,000 people, 50 sessions, 1,000 commitments, 20,000 answers
(``bench/summary.py``'s generator); small: 3 / 10 / 4 / 5 / 20.  The trekker is invited
to every upcoming session, each with its sent invitation message, as after
``uitnodigen``.  Prints, per view, the SQL statements of one build for both (target: the
same count) and the time ratio of the data part (target <= 3); then starts
``python -m bot serve`` on the large database against the Slack emulator, drives a
summary (with its chart), App Home and ``mijn`` through its endpoint, and reads that
process's RSS from /proc (target <= 150 MB).

    python bench/home.py [--rounds 5]

Last lines: ``home_time_ratio: X.XX (target <= 3)`` and ``serve_rss_mb: N (target <= 150)``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import SIGNING_SECRET, TOKEN, bot_env, start_bot  # noqa: E402
from summary import NOW, StatementCounter, migrate, populate  # noqa: E402

from sqlalchemy import select, update  # noqa: E402

from bot import db as dbmod  # noqa: E402
from bot import outbox  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.context import Context  # noqa: E402
from bot.models import Invitation, OutboxMessage, Person, Session  # noqa: E402
from bot.services import invitations  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.slack import home  # noqa: E402
from tests.slack_emulator import SlackDriver, SlackEmulator  # noqa: E402

TREKKER_UID = "U000000"  # person 0 of the generator
SIZES = {"small": (3, 10, 4, 5, 20), "large": (200, 2000, 50, 1000, 20000)}


async def invite_trekker(ctx: Context, trajectory_id: int) -> int:
    """The trekker invited to every upcoming session, with the invitation message as sent."""
    async with ctx.db.transaction() as s:
        trekker = (await s.execute(select(Person).where(Person.slack_user_id == TREKKER_UID))).scalar_one()
        sessions = (await s.execute(select(Session).where(Session.trajectory_id == trajectory_id, Session.starts_at > ctx.now()))).scalars().all()
        for session in sessions:
            inv = (await s.execute(select(Invitation).where(Invitation.session_id == session.id, Invitation.person_id == trekker.id))).scalar_one_or_none()
            if inv is None:
                inv = Invitation(session_id=session.id, person_id=trekker.id, status="pending", invited_at=ctx.now(), revision=0)
                s.add(inv)
                await s.flush()
            await s.refresh(inv, ["delegated_to", "delegated_from"])
            base = await invitations.session_context(s, session)
            await outbox.enqueue(s, key=invitations.invite_key(session, trekker), op="direct", template="invitation",
                                 data=invitations.invitation_vm(ctx, base, session, inv, trekker), person=trekker, now=ctx.now())
        await s.execute(update(OutboxMessage).values(status="sent"))
    return len(sessions)


async def build(ctx: Context, view: str, counter: StatementCounter) -> tuple[float, int]:
    before = counter.count
    started = time.perf_counter()
    if view == "home":
        shown = await home.build_for(ctx, TREKKER_UID)
        assert shown["type"] == "home"
    else:
        shown = await home.mine_for(ctx, TREKKER_UID)
        assert shown.get("blocks")
    return time.perf_counter() - started, counter.count - before


async def data_part(folder: Path, rounds: int) -> tuple[dict, str]:
    contexts, counters = {}, {}
    for name, size in SIZES.items():
        url = f"sqlite:///{folder}/{name}.db"
        await migrate(url)
        ctx = Context(settings=load_settings({"DATABASE_URL": url}, dotenv=False), db=dbmod.Database(url), clock=ManualClock(NOW))
        trajectory_id = await populate(ctx.db, *size)
        upcoming = await invite_trekker(ctx, trajectory_id)
        print(f"{name}: {size[0]} organisations, {size[1]} people, {size[2]} sessions ({upcoming} upcoming, the trekker "
              f"invited to each), {size[3]} commitments, {size[4]} answers")
        contexts[name], counters[name] = ctx, StatementCounter(ctx.db)
    results = {}
    for view in ("home", "mijn"):
        for name in contexts:  # warm up
            await build(contexts[name], view, counters[name])
        times: dict[str, list[float]] = {name: [] for name in contexts}
        statements: dict[str, int] = {}
        for round_no in range(rounds):
            for name in (("small", "large") if round_no % 2 == 0 else ("large", "small")):
                elapsed, statements[name] = await build(contexts[name], view, counters[name])
                times[name].append(elapsed)
        ratio = statistics.median(times["large"]) / statistics.median(times["small"])
        results[view] = ratio
        print(f"{view}: small {statistics.median(times['small']) * 1e3:.0f} ms / {statements['small']} statements, "
              f"large {statistics.median(times['large']) * 1e3:.0f} ms / {statements['large']} statements; "
              f"same count: {statements['small'] == statements['large']}; ratio {ratio:.2f}")
    for ctx in contexts.values():
        await ctx.db.dispose()
    return results, f"sqlite:///{folder}/large.db"


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB, from /proc/<pid>/status."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def children_of(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


async def serve_rss(database_url: str, log_dir: Path) -> tuple[float, float]:
    """Summaries (with the chart), App Home and ``mijn`` through the real ``serve``
    process; its RSS and peak RSS (MB) afterwards.  Prints the chart worker's apart."""
    async with SlackEmulator(token=TOKEN) as emu:
        emu.add_user(TREKKER_UID, "p0@bench.example", "persoon0", real_name="Persoon 0")
        emu.add_channel("C0BENCH", "bench", members=["UBOT"])
        server = start_bot(bot_env(emu.api_url, database_url, SCHEDULER_INTERVAL="3600"), log_dir)
        try:
            await server.wait_ready()
            print(f"serve (pid {server.proc.pid}) at start: {rss_mb(server.proc.pid)[0]:.0f} MB")
            async with SlackDriver(server.url, SIGNING_SECRET, emulator=emu, timeout=60) as drv:
                for _ in range(2):
                    r = await drv.command(TREKKER_UID, "status")
                    assert r.status == 200, r.body_text
                    await emu.wait_for(lambda: len(emu.files) >= 1, timeout=120)
                    for _ in range(3):
                        assert (await drv.app_home_opened(TREKKER_UID)).status == 200
                        assert (await drv.command(TREKKER_UID, "mijn")).status == 200
                    await emu.wait_for(lambda: len(emu.successful("views.publish")) >= 3, timeout=60)
            await asyncio.sleep(1)
            rss, peak = rss_mb(server.proc.pid)
            for child in children_of(server.proc.pid):
                what = "resource tracker" if b"resource_tracker" in Path(f"/proc/{child}/cmdline").read_bytes() else "chart worker"
                print(f"  {what} (pid {child}): {rss_mb(child)[0]:.0f} MB, a process of its own")
            print(f"summaries posted: {len([m for m in emu.messages('C0BENCH') if (m.text or '').startswith('Stand')])}, "
                  f"charts uploaded: {len(emu.files)}, Home published: {len(emu.successful('views.publish'))}")
            return rss, peak
        finally:
            server.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    folder = Path(tempfile.mkdtemp(prefix="home-bench-"))
    ratios, large_url = await data_part(folder, args.rounds)
    rss, peak = await serve_rss(large_url, folder)
    print(f"serve RSS after summaries, App Home and mijn: {rss:.0f} MB (peak {peak:.0f} MB)")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"home_time_ratio: {ratios['home']:.2f} (target <= 3); mijn: {ratios['mijn']:.2f}")
    print(f"serve_rss_mb: {rss:.0f} (target <= 150)")


if __name__ == "__main__":
    asyncio.run(main())
