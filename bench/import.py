"""`python -m bot import`: the 2,000-person file versus the small example, and look-ups
under Slack's Tier 3 limit.

    python bench/import.py [--people 2000] [--lookup-people 200] [--per-minute 600]

1. Without look-ups (no Slack token): the wall time of ``python -m bot import`` as a
   user runs it, for ``examples/hitteplan.yaml`` and for a generated province-wide file
   (``bench/_common.trajectory_yaml``: 2,000 people, 200 organisations, 50 sessions,
   1,000 commitments).  Headline: the ratio (target <= 3).
2. With look-ups against the Slack emulator, ``users.lookupByEmail`` limited like Tier 3
   but scaled up (``--per-minute``, burst 3) so it runs in reasonable time, the bot's
   ``SLACK_LOOKUP_PER_MINUTE`` set to the same rate: people dropped (target 0), and the
   time against the floor (people / rate).  At Slack's real Tier 3 (50/min) the floor
   for 2,000 people is 40 minutes.
3. Teams: ``koppel`` in a channel whose team roster holds everyone of the file (the
   fake connector; the roster is paged, 500 a page), with three 429s (Retry-After 1)
   and a 503 on the roster on the way: people not linked (target 0), roster calls,
   and the time for the large team against a team of 20.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, TOKEN, add_people, child_env, email, trajectory_yaml  # noqa: E402

from tests.slack_emulator import SlackEmulator  # noqa: E402
from tests.teams_connector.driver import TeamsDriver  # noqa: E402
from tests.teams_connector.server import FakeConnector  # noqa: E402

TEAM = "19:bench-team@thread.tacv2"


def cli_import(path: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bot", "import", str(path)], env=child_env(env), cwd=str(ROOT),
                          capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(done.stdout[-2000:] + done.stderr[-2000:])
    return elapsed, done.stdout


def base_env(tmp: Path, name: str) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp / name}", "SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "",
            "QUIET_HOURS": "off"}


async def lookups(tmp: Path, people: int, per_minute: int) -> tuple[float, int, int]:
    async with SlackEmulator(token=TOKEN) as emu:
        add_people(emu, people)
        emu.set_rate_limit("users.lookupByEmail", per_minute, burst=3)
        path = tmp / "lookups.yaml"
        path.write_text(trajectory_yaml(people, "bench-lookups"))
        env = {**base_env(tmp, "lookups.db"), "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": emu.api_url,
               "SLACK_LOOKUP_PER_MINUTE": str(per_minute)}
        elapsed, out = await asyncio.to_thread(cli_import, path, env)
        refused = sum(1 for c in emu.calls_to("users.lookupByEmail") if c.status == 429)
    import sqlite3

    with sqlite3.connect(tmp / "lookups.db") as conn:
        dropped = conn.execute("SELECT count(*) FROM person WHERE slack_user_id IS NULL").fetchone()[0]
    return elapsed, dropped, refused


async def teams_roster(tmp: Path, people: int) -> tuple[float, int, list[int]]:
    """``koppel`` for a team of ``people``: (seconds, people not linked, roster call statuses)."""
    from aiohttp.test_utils import TestServer
    from sqlalchemy import func, select

    from bot import db as dbmod
    from bot.app import bootstrap, web_app
    from bot.importer import import_file
    from bot.models import Person
    from bot.settings import load_settings
    from bot.trajectory_file import parse

    url = f"sqlite:///{tmp / f'teams-{people}.db'}"
    await asyncio.to_thread(dbmod.upgrade, url)
    async with FakeConnector() as conn:
        for i in range(people):
            conn.add_user(f"29:p{i:05d}", f"Persoon {i}", email(i))
        conn.add_team(TEAM, [f"29:p{i:05d}" for i in range(people)])
        env = {"DATABASE_URL": url, "TEAMS_SERVICE_URL": conn.url, "TEAMS_ANONYMOUS": "true", "QUIET_HOURS": "off"}
        bot = bootstrap(load_settings(env, dotenv=False))
        parsed, errors = parse(trajectory_yaml(people, "bench-teams"), "bench-teams.yaml")
        await import_file(bot.ctx, parsed)
        server = TestServer(web_app(bot, run_background=False), host="127.0.0.1")
        await server.start_server()
        try:
            async with TeamsDriver(str(server.make_url("/api/messages")), conn) as drv:
                await drv.install("29:p00000")  # the trekker is linked; their first message is no roster read
                conn.fail_next("GET", "pagedmembers", 429, retry_after=1, times=3)
                conn.fail_next("GET", "continuationToken=500", 503, times=1)
                started = time.monotonic()
                await drv.message("29:p00000", "koppel", team=TEAM, channel=TEAM)
                elapsed = time.monotonic() - started
            async with bot.ctx.db.sessionmaker() as s:
                query = select(func.count()).select_from(Person).where(Person.teams_user_id.is_(None))
                dropped = (await s.execute(query)).scalar_one()
        finally:
            await server.close()
            await bot.teams.chat.close()
            await bot.ctx.db.dispose()
    return elapsed, dropped, [c.status for c in conn.calls if "pagedmembers" in c.path]


def main(people: int, lookup_people: int, per_minute: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp_name:
        tmp = Path(tmp_name)
        big = tmp / "provincie.yaml"
        big.write_text(trajectory_yaml(people, "bench-provincie", extra_sessions=49, commitments=people // 2))
        small_time, _ = cli_import(ROOT / "examples" / "hitteplan.yaml", base_env(tmp, "small.db"))
        big_time, _ = cli_import(big, base_env(tmp, "big.db"))
        again_time, _ = cli_import(big, base_env(tmp, "big.db"))  # the same file again: nothing changes
        elapsed, dropped, refused = asyncio.run(lookups(tmp, lookup_people, per_minute))
        teams_small, _, _ = asyncio.run(teams_roster(tmp, 20))
        teams_big, teams_dropped, roster_calls = asyncio.run(teams_roster(tmp, people))
    floor = lookup_people / (per_minute / 60.0)
    print(f"import without look-ups: small example {small_time:.2f} s; {people} people, 50 sessions, "
          f"{people // 2} commitments {big_time:.2f} s; the same file again {again_time:.2f} s")
    print(f"look-ups: {lookup_people} people at {per_minute}/min (burst 3; {refused} answered 429): "
          f"{elapsed:.1f} s, floor {floor:.1f} s (ratio {elapsed / floor:.2f}); at Tier 3 (50/min) "
          f"the floor for {people} people is {people / 50:.0f} min")
    print(f"teams koppel: team of 20 {teams_small:.2f} s, of {people} {teams_big:.2f} s (ratio "
          f"{teams_big / teams_small:.2f}, both with three 429s of 1 s); roster calls {roster_calls}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"people_dropped: {dropped} (target 0)")
    print(f"teams_people_dropped: {teams_dropped} (target 0)")
    print(f"import_time_ratio: {big_time / small_time:.2f} (target <= 3)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--lookup-people", type=int, default=200)
    parser.add_argument("--per-minute", type=int, default=600)
    args = parser.parse_args()
    try:
        main(args.people, args.lookup_people, args.per_minute)
    except Exception as exc:  # a benchmark reports; it does not fail the build
        print(f"benchmark failed: {exc!r}")
        print("import_time_ratio: n/a (target <= 3)")
    sys.exit(0)
