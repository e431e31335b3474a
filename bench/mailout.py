"""Invitations to 2,000 e-mail invitees through a real SMTP server with 2 % temporary
errors: time versus the pacing floor, duplicates, lost mails.

    python bench/mailout.py [--people 2000] [--per-minute 2400] [--temporary 0.02]

Set-up (all on loopback, in a temporary directory):
- the aiosmtpd sink of the test suite (``tests/smtp_server.py``) in a process of its own,
  answering ``451`` at DATA for ``--temporary`` of all mails (seeded, so the run repeats);
- the real bot in this process (``bootstrap``), SQLite, no Slack and no Teams: e-mail is
  the only channel, so every invitee is reached by mail; MAIL_PER_MINUTE scaled so the
  run takes under a minute; PUBLIC_URL and SECRET_KEY set (links in every mail);
- a generated trajectory with 2,000 people in one session, imported with the importer.

The trekker invites through the use case (as the web page or a chat command does); then
the real dispatcher (``Dispatcher.run_forever``, system clock) runs until every outbox row
is ``sent`` or ``failed``.  The floor is ``(mails - burst) / rate`` (the pacer's bucket
starts full).  Duplicates are invitees with more than one invitation accepted by the
server; lost are invitees with none.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, email, fresh_postgres, trajectory_yaml  # noqa: E402

from bot import db as dbmod  # noqa: E402
from bot.app import bootstrap  # noqa: E402
from bot.identity import email as email_user  # noqa: E402
from bot.importer import import_file  # noqa: E402
from bot.interactions import invitations as invitations_uc  # noqa: E402
from bot.models import Trajectory  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.trajectory_file import parse  # noqa: E402
from scheduling.ratelimit import BURST_SECONDS  # noqa: E402
from tests.smtp_server import free_port  # noqa: E402

KEY = "bench-mailout"
# How often the bench counts the outbox: each count is a query in the bot's own process
# and database, so it is kept rare (at most a quarter second added to a ~50 s run).
POLL_SECONDS = 0.25


async def outbox_counts(bot) -> Counter:
    from sqlalchemy import func, select

    from bot.models import OutboxMessage

    async with bot.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))).all()
    return Counter(dict(rows))


class SinkProcess:
    """The test suite's SMTP sink in a process of its own, so that the bot's process is
    measured alone; the mails it accepted are read from its folder when it stops."""

    def __init__(self, proc, port: int, folder: Path):
        self.proc, self.port, self.folder = proc, port, folder
        self.url = f"smtp://127.0.0.1:{port}"

    async def stop(self) -> tuple[list[tuple[str, str]], int, int]:
        """(recipient, Message-ID) per accepted mail, DATA commands, 451s injected."""
        from email import policy
        from email.parser import BytesHeaderParser
        from email.utils import parseaddr

        self.proc.terminate()
        await self.proc.wait()
        parser = BytesHeaderParser(policy=policy.default)
        mails = []
        for path in sorted(self.folder.glob("*.eml")):
            head = parser.parsebytes(path.read_bytes())
            mails.append((parseaddr(str(head["To"]))[1].lower(), str(head["Message-ID"])))
        attempts, injected = map(int, (self.folder / "counts.txt").read_text().split())
        return mails, attempts, injected


async def start_sink(tmp: Path, temporary: float) -> SinkProcess:
    folder = tmp / "mails"
    folder.mkdir()
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.smtp_server", "--port", str(port), "--temporary", str(temporary), "--out", str(folder),
        stdout=asyncio.subprocess.PIPE, cwd=str(ROOT),
    )
    await asyncio.wait_for(proc.stdout.readline(), 30)  # "ready"
    return SinkProcess(proc, port, folder)


async def main(people: int, per_minute: int, temporary: float, concurrency: int, postgres: str | None = None) -> None:
    started = time.monotonic()
    if not postgres:
        return await _run(people, per_minute, temporary, concurrency, None, started)
    async with fresh_postgres(postgres, f"bench_mailout_{os.getpid()}") as url:
        await _run(people, per_minute, temporary, concurrency, url, started)


async def _run(people: int, per_minute: int, temporary: float, concurrency: int, postgres_url: str | None, started: float) -> None:
    rate = per_minute / 60.0
    burst = max(1.0, rate * BURST_SECONDS)
    with tempfile.TemporaryDirectory(prefix="bench-mailout-") as tmp:
        smtp = await start_sink(Path(tmp), temporary)
        database_url = postgres_url or f"sqlite:///{Path(tmp) / 'bot.db'}"
        await asyncio.to_thread(dbmod.upgrade, database_url)
        env = {
            "DATABASE_URL": database_url, "QUIET_HOURS": "off", "PUBLIC_URL": "https://dialoog.bench.example",
            "SECRET_KEY": "bench-secret", "SMTP_URL": smtp.url, "MAIL_FROM": "Dialoogbot <dialoog@bench.example>",
            "MAIL_PER_MINUTE": str(per_minute), "DISPATCH_CONCURRENCY": str(concurrency),
        }
        bot = bootstrap(load_settings(env, dotenv=False))
        dispatcher_task = None
        try:
            parsed, errors = parse(trajectory_yaml(people, KEY), "mailout.yaml")
            assert not errors, [e.format() for e in errors]
            report = await import_file(bot.ctx, parsed)
            assert report.reached.get("email") == people, report.reached
            async with bot.ctx.db.sessionmaker() as s:
                from sqlalchemy import select

                trajectory_id = (await s.execute(select(Trajectory.id).where(Trajectory.key == KEY))).scalar_one()
            print(f"set-up: {people} people imported, all reached by e-mail ({time.monotonic() - started:.1f} s)")
            done = await invitations_uc.invite(bot.ctx, email_user(email(0)), trajectory_id, "start")
            await bot.ctx.jobs.idle()  # a large invite is written in the background (invite_runs)
            mails = sum((await outbox_counts(bot)).values())
            invited = done.count if isinstance(done, invitations_uc.Queued) else done.sent
            print(f"invited: {invited} written; {mails} outbox rows")

            send_started, cpu_started = time.monotonic(), time.process_time()
            dispatcher_task = asyncio.create_task(bot.dispatcher.run_forever())
            deadline = send_started + max(120.0, 3 * mails / rate)
            while time.monotonic() < deadline:
                counts = await outbox_counts(bot)
                if counts["sent"] + counts["failed"] >= mails:
                    break
                await asyncio.sleep(POLL_SECONDS)
            elapsed = time.monotonic() - send_started
            cpu = time.process_time() - cpu_started
        finally:
            bot.dispatcher.stop()
            if dispatcher_task is not None:
                await asyncio.wait_for(dispatcher_task, timeout=30)
            await bot.ctx.db.dispose()
        received, attempts, injected = await smtp.stop()
        per_invitee = Counter(to for to, _ in received)
        ids = Counter(message_id for _, message_id in received)

    floor = (mails - burst) / rate
    duplicates = sum(1 for i in range(people) if per_invitee[email(i).lower()] > 1)
    unfinished = mails - counts["sent"] - counts["failed"]
    # An invitee without a mail is lost only when their row is done (not still waiting when the run gave up).
    lost = max(0, sum(1 for i in range(people) if per_invitee[email(i).lower()] == 0) - unfinished)
    print(f"database: {'PostgreSQL' if postgres_url else 'SQLite'}; DISPATCH_CONCURRENCY={concurrency}; "
          f"SMTP sink in a separate process (the CPU figure is the bot's process alone); outbox counted every {POLL_SECONDS} s")
    print(f"pacing: MAIL_PER_MINUTE={per_minute} ({rate:.0f}/s, burst {burst:.0f}); temporary errors injected: "
          f"{injected} of {attempts} DATA commands ({100 * injected / max(1, attempts):.1f} %)")
    print(f"outbox: {counts['sent']} sent, {counts['failed']} failed, {mails - counts['sent'] - counts['failed']} unfinished")
    print(f"mails accepted: {len(received)}; distinct Message-IDs: {len(ids)}")
    print(f"elapsed: {elapsed:.1f} s; floor: {floor:.1f} s ((mails - burst) / rate); "
          f"the bot's process used {cpu:.1f} s of CPU meanwhile ({1000 * cpu / max(1, mails):.0f} ms a mail)")
    print(f"duplicates: {duplicates} (target 0); lost: {lost} (target 0); unfinished when the run stopped: {unfinished}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; total time: {time.monotonic() - started:.1f} s")
    print(f"mailout_time_over_floor: {elapsed / floor:.2f} (target <= 1.1)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000, help="invitees (default 2000)")
    parser.add_argument("--per-minute", type=int, default=2400, help="MAIL_PER_MINUTE (default 2400: a floor of 50 s)")
    parser.add_argument("--temporary", type=float, default=0.02, help="share of mails answered 451 (default 0.02)")
    parser.add_argument("--postgres", help="an admin URL (postgresql://...): run on a fresh PostgreSQL database instead of SQLite")
    parser.add_argument("--concurrency", type=int, default=32, help="DISPATCH_CONCURRENCY: mails in flight (default 32)")
    args = parser.parse_args()
    try:
        asyncio.run(main(args.people, args.per_minute, args.temporary, args.concurrency, args.postgres))
    except Exception as exc:  # a benchmark reports; it does not fail the build
        print(f"benchmark failed: {exc!r}")
        print("mailout_time_over_floor: n/a (target <= 1.1)")
    sys.exit(0)
