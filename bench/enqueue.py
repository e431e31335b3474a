"""`uitnodigen` for 2,000 invitees versus 20: time, statements, first answer, a click meanwhile.

    python bench/enqueue.py [--people 2000] [--small 20] [--rounds 3] [--database-url postgresql://...]

Set-up per size (all on loopback, SQLite in a temporary directory unless
``--database-url`` names a PostgreSQL database: each run gets a new, empty database
next to it, dropped afterwards):
- the Slack emulator of the test suite with the generated people as members;
- the real bot in this process (``bootstrap`` + ``web_app`` behind aiohttp, the same
  Bolt endpoint as production, ``SLACK_PROCESS_BEFORE_RESPONSE=false``), quiet hours off,
  PUBLIC_URL set; the dispatcher does not run during the measurement (this measures
  writing the outbox, ``bench/fanout.py`` measures sending it);
- a generated trajectory (``bench/_common.trajectory_yaml``) with one session ``start``
  for everyone and a small session ``s000`` (40 people) whose invitations are sent first,
  so that person 1 has an invitation with buttons to click.

Measured, side by side for both sizes:
- enqueue time: from the signed ``/dialoog uitnodigen start`` until every invitation
  row is committed (seen by a separate connection);
- statements per invitee: every statement the bot's engine executed in that span
  (an SQLAlchemy ``before_cursor_execute`` listener), divided by the invitees;
- first answer: until the trekker's answer arrived at the command's response_url;
- the RSVP delay: person 1 clicks "Ik kom" on the ``s000`` invitation right after the
  trekker's answer, while the large invite is still being written; the time from the
  click until the answer is committed.  The same click without an invite running is
  the baseline.

The sizes alternate for ``--rounds`` rounds (the machine is shared and noisy); the
headlines are medians over the rounds, the time ratio that of the median times.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import SIGNING_SECRET, TOKEN, add_people, bot_env, fresh_postgres, trajectory_yaml, user_id  # noqa: E402

from aiohttp import web  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot import db as dbmod  # noqa: E402
from bot.app import bootstrap, web_app  # noqa: E402
from bot.importer import import_file  # noqa: E402
from bot.settings import load_settings, to_async_url  # noqa: E402
from bot.trajectory_file import parse  # noqa: E402
from scheduling.ratelimit import Pacer  # noqa: E402
from tests.slack_emulator import SlackDriver, SlackEmulator  # noqa: E402

KEY = "bench-enqueue"  # and a number per run: on a PostgreSQL database every run has a trajectory of its own
INVITED = text("SELECT count(*) FROM invitation i JOIN session s ON s.id = i.session_id "
               "JOIN trajectory t ON t.id = s.trajectory_id AND t.key = :key "
               "WHERE s.key = 'start' AND i.invited_at IS NOT NULL")
ANSWER = text("SELECT i.status FROM invitation i JOIN session s ON s.id = i.session_id "
              "JOIN trajectory t ON t.id = s.trajectory_id AND t.key = :key "
              "JOIN person p ON p.id = i.person_id WHERE s.key = 's000' AND p.email = :email")


async def until(observer, predicate, timeout: float = 600.0, interval: float = 0.002, since: float | None = None) -> float:
    """Poll the database through a separate connection; the moment ``predicate`` holds.

    With ``since``, the pause between polls grows to 1 % of the time since then (at most
    50 ms): the observer runs in the bot's process, and polling a long enqueue every
    2 ms took a share of its CPU that grew with the enqueue (a third of it at 2,000)."""
    deadline = time.monotonic() + timeout
    while (now := time.monotonic()) < deadline:
        async with observer.connect() as conn:
            if await predicate(conn):
                return time.monotonic()
        pause = interval if since is None else min(0.05, max(interval, (now - since) * 0.01))
        await asyncio.sleep(pause)
    raise TimeoutError("the bot did not get there in time")


async def click_yes(drv, emu, observer, who: int, key: str) -> float:
    """Person ``who`` clicks "Ik kom" on their s000 invitation; seconds until it is stored."""
    message = next(m for m in emu.dm(user_id(who)) if "s000" in str(m.blocks) or "Werksessie 0" in str(m.blocks))
    started = time.monotonic()
    r = await drv.click(user_id(who), message, "rsvp_yes")
    assert r.status == 200, r.body_text
    from _common import email

    async def stored(conn):
        return (await conn.execute(ANSWER, {"email": email(who), "key": key})).scalar() == "yes"

    return await until(observer, stored) - started


async def run(people: int, database_url: str | None, key: str = KEY) -> dict:
    """One invite on a database of its own: a new SQLite file, or a new PostgreSQL
    database next to ``database_url``."""
    if database_url is None:
        with tempfile.TemporaryDirectory(prefix="bench-enqueue-") as tmp:
            return await measure(people, f"sqlite:///{Path(tmp) / 'bot.db'}", key)
    async with fresh_postgres(database_url, f"bench_enqueue_{os.getpid()}") as url:
        return await measure(people, url, key)


async def measure(people: int, url: str, key: str) -> dict:
    await asyncio.to_thread(dbmod.upgrade, url)
    observer = create_async_engine(to_async_url(url))  # plain reads, no write lock
    async with SlackEmulator(token=TOKEN) as emu:
        add_people(emu, people)
        env = bot_env(emu.api_url, url, SLACK_LOOKUP_PER_MINUTE="600000")
        bot = bootstrap(load_settings(env, dotenv=False))
        bot.dispatcher.pacer = Pacer({}, default_per_minute=600_000)  # set-up only: deliver s000 at once
        runner = web.AppRunner(web_app(bot, run_background=False), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            parsed, errors = parse(trajectory_yaml(people, key, extra_sessions=1), "enqueue.yaml")
            assert not errors, [e.format() for e in errors]
            await import_file(bot.ctx, parsed)
            async with SlackDriver(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, emulator=emu,
                                   timeout=120) as drv:
                r = await drv.command(user_id(0), f"uitnodigen s000 traject:{key}")
                await emu.wait_for(lambda: emu.responses(r.response_url), timeout=60)
                await bot.dispatcher.drain()
                baseline = await click_yes(drv, emu, observer, 2, key)

                statements = []
                listener = lambda *args: statements.append(1)  # noqa: E731
                event.listen(bot.ctx.db.engine.sync_engine, "before_cursor_execute", listener)
                started = time.monotonic()
                r = await drv.command(user_id(0), f"uitnodigen start traject:{key}")
                assert r.status == 200, r.body_text
                await emu.wait_for(lambda: emu.responses(r.response_url), timeout=120, interval=0.002)
                first_answer = time.monotonic() - started
                answer = emu.responses(r.response_url)[-1].get("text", "")

                async def all_written(conn):
                    return (await conn.execute(INVITED, {"key": key})).scalar() >= people

                click = asyncio.create_task(click_yes(drv, emu, observer, 1, key)) if people > 100 else None
                done_at = await until(observer, all_written, since=started)
                enqueue = done_at - started
                event.remove(bot.ctx.db.engine.sync_engine, "before_cursor_execute", listener)
                n_statements = len(statements)
                during = None
                if click is not None:
                    during = await click
                await bot.ctx.jobs.idle()
        finally:
            await bot.ctx.jobs.stop()
            await runner.cleanup()
            await bot.ctx.db.dispose()
            await observer.dispose()
    return {"people": people, "enqueue": enqueue, "statements": n_statements, "first_answer": first_answer,
            "answer": answer.splitlines()[0] if answer else "", "rsvp": during, "rsvp_baseline": baseline}


async def main(people: int, small: int, database_url: str | None, rounds: int = 3) -> None:
    from statistics import median

    backend = "PostgreSQL" if database_url else "SQLite"
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    runs: dict[int, list[dict]] = {small: [], people: []}
    stamp = int(time.time())  # trajectory keys of their own, also after an earlier run on the same database
    for _ in range(rounds):  # alternating, so that the machine's noise hits both sizes
        for size in (small, people):
            runs[size].append(await run(size, database_url, f"{KEY}-{stamp}-{len(runs[small]) + len(runs[people])}"))
    for size, results in runs.items():
        for r in results:
            line = (f"{r['people']:>5} invitees: enqueue {r['enqueue']:.3f} s, {r['statements']} statements "
                    f"({r['statements'] / r['people']:.3f} per invitee), first answer {r['first_answer'] * 1000:.0f} ms")
            if r["rsvp"] is not None:
                line += f", RSVP click during the enqueue stored after {r['rsvp'] * 1000:.0f} ms"
            print(line + f" (RSVP without an invite running: {r['rsvp_baseline'] * 1000:.0f} ms)")
        print(f"       answer: {results[-1]['answer']}")
    big, little = runs[people], runs[small]
    print(f"backend: {backend}; {rounds} rounds, medians below; load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"statements_per_invitee: {median(r['statements'] for r in big) / people:.3f} (target <= 0.1)")
    print(f"first_answer: {median(r['first_answer'] for r in big):.2f} s (target < 1 s)")
    print(f"rsvp_delay_during_enqueue: {median(r['rsvp'] for r in big):.2f} s, worst {max(r['rsvp'] for r in big):.2f} s (target < 1 s)")
    ratio = median(r["enqueue"] for r in big) / median(r["enqueue"] for r in little)
    print(f"enqueue_time_ratio: {ratio:.1f} ({people} vs {small}; target <= 20)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000, help="the large invite (default 2000)")
    parser.add_argument("--small", type=int, default=20, help="the small invite (default 20)")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL database; each run makes its own next to it (default: SQLite)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of both sizes, alternating (default 3)")
    args = parser.parse_args()
    try:
        asyncio.run(main(args.people, args.small, args.database_url, args.rounds))
    except Exception as exc:  # a benchmark reports; it does not fail the build
        print(f"benchmark failed: {exc!r}")
        print("enqueue_time_ratio: n/a (target <= 20)")
    sys.exit(0)
