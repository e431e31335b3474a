"""Building the phase-status summary: a large trajectory against a 10-person one,
side by side in one run.

Large: 200 organisations, 2,000 people, 50 sessions (10,000 invitations), 1,000
commitments, 20,000 evaluation answers.  Rounds alternate between the two so
machine noise hits both alike.  Prints the time ratio of the data part alone (the
service and the Slack blocks; target <= 3), the chart apart (drawn in the chart worker
process, as the bot draws it), the SQL statements per build for both (target: the same
count, no N+1), and the RSS of the real web process: ``python -m bot serve`` on the
large database, driven through its endpoint (``bench/home.py``; target <= 150 MB).

The status view (``/dialoog status``: the same build plus the outbox rows of the post,
rolled back after each round) is timed and counted the same way.  ``--postgres URL``
runs on PostgreSQL instead: two databases are made next to the one in the URL (and
dropped afterwards), analysed after they are filled, as autovacuum would.

    python bench/summary.py [--rounds 5] [--no-serve] [--postgres URL]

Last lines: ``summary_time_ratio: X.XX (target <= 3)`` and ``serve_rss_mb: N (target <= 150)``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import pg_admin  # noqa: E402

from sqlalchemy import event, insert  # noqa: E402

from bot import db as dbmod  # noqa: E402
from bot import chart_worker  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.context import Context  # noqa: E402
from bot.models import (  # noqa: E402
    Commitment,
    Evaluation,
    EvaluationPrompt,
    EvaluationResponse,
    Invitation,
    Organisation,
    Person,
    Phase,
    Session,
    Trajectory,
)
from bot.services import summary  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.slack.blocks import render  # noqa: E402
from bot.chat import OutMessage  # noqa: E402

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=timezone.utc)
QUESTIONS = [
    {"key": "waarde", "type": "rating", "scale": 5, "question": "Hoe waardevol?"},
    {"key": "doelen", "type": "choice", "options": ["Ja", "Deels", "Nee"], "question": "Zijn de doelen bereikt?"},
    {"key": "risico", "type": "text", "question": "Welk risico?"},
]


async def populate(database: dbmod.Database, organisations: int, people: int, sessions: int, commitments: int, answers: int) -> int:
    async with database.transaction() as s:
        traj = (await s.execute(insert(Trajectory).returning(Trajectory.id), [{
            "key": "bench", "title": "Benchmark", "language": "nl", "timezone": "Europe/Amsterdam",
            "status_channels": ["#bench"], "current_phase": 2, "reminders": {},
        }])).scalar_one()
        await s.execute(insert(Phase), [{"trajectory_id": traj, "number": n, "name": f"Fase {n}", "starting_point": "Start", "result": "Resultaat"} for n in (1, 2, 3)])
        orgs = (await s.execute(insert(Organisation).returning(Organisation.id), [
            {"trajectory_id": traj, "key": f"o{o}", "name": f"Organisatie {o}"} for o in range(organisations)
        ])).scalars().all()
        persons = (await s.execute(insert(Person).returning(Person.id), [
            {"trajectory_id": traj, "organisation_id": orgs[p % len(orgs)], "name": f"Persoon {p}", "email": f"p{p}@bench.example",
             "roles": ["trekker"] if p == 0 else ["ambassadeur"], "active": True, "slack_user_id": f"U{p:06d}"}
            for p in range(people)
        ])).scalars().all()
        session_ids = (await s.execute(insert(Session).returning(Session.id), [
            {"trajectory_id": traj, "key": f"s{n}", "title": f"Sessie {n}", "phase": 2,
             "starts_at": NOW + timedelta(days=7 * n - 7 * sessions // 2), "ends_at": NOW + timedelta(days=7 * n - 7 * sessions // 2, hours=2),
             "invite": {}, "sequence": 0, "cancelled": False, "invited_at": NOW - timedelta(days=60), "ics_token": uuid.uuid4().hex}
            for n in range(sessions)
        ])).scalars().all()
        statuses = ("yes", "no", "maybe", "pending")
        per_session = max(1, people * 5 // sessions)
        for i, sid in enumerate(session_ids):  # per session: keeps the benchmark's own memory small
            await s.execute(insert(Invitation), [
                {"session_id": sid, "person_id": persons[(i * 7 + k) % len(persons)], "status": statuses[(i + k) % 4],
                 "invited_at": NOW - timedelta(days=60), "revision": 0,
                 "answered_at": None if statuses[(i + k) % 4] == "pending" else NOW - timedelta(days=59)}
                for k in range(min(per_session, len(persons)))
            ])
        await s.execute(insert(Commitment), [
            {"trajectory_id": traj, "key": f"c{c}", "organisation_id": orgs[c % len(orgs)], "owner_id": persons[c % len(persons)],
             "description": f"Afspraak {c}", "due": date(2027, 4, 1) + timedelta(days=c % 120),
             "status": ("open", "busy", "done", "blocked", "not_applicable")[c % 5], "source": "file"}
            for c in range(commitments)
        ])
        past = [sid for n, sid in enumerate(session_ids) if n < sessions // 2]
        evaluations = (await s.execute(insert(Evaluation).returning(Evaluation.id), [
            {"session_id": sid, "form_key": "standaard", "anonymous": False, "questions": QUESTIONS,
             "opened_at": NOW - timedelta(days=30), "closes_at": NOW - timedelta(days=23)}
            for sid in past
        ])).scalars().all()
        per_evaluation = max(1, answers // max(1, len(evaluations)))
        for ev in evaluations:
            who = [persons[(ev * 13 + k) % len(persons)] for k in range(min(per_evaluation, len(persons)))]
            await s.execute(insert(EvaluationPrompt), [
                {"evaluation_id": ev, "person_id": p, "prompted_at": NOW - timedelta(days=30), "responded": True, "revision": 0} for p in who
            ])
            await s.execute(insert(EvaluationResponse), [
                {"id": uuid.uuid4().hex, "evaluation_id": ev, "person_id": p,
                 "answers": {"waarde": 1 + k % 5, "doelen": ("Ja", "Deels", "Nee")[k % 3], "risico": "Hitte in zorgcentra"}}
                for k, p in enumerate(who)
            ])
        return traj


async def migrate(url: str) -> None:
    """``python -m bot db upgrade`` in its own process, as a deployment runs it."""
    env = {**os.environ, "DATABASE_URL": url}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "db", "upgrade", env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL)
    assert await proc.wait() == 0


async def database_urls(args: argparse.Namespace, folder: Path) -> dict[str, str]:
    """One fresh database per size: SQLite files, or PostgreSQL databases next to ``--postgres``."""
    if not args.postgres:
        return {name: f"sqlite:///{folder}/{name}.db" for name in SIZES}
    base = args.postgres.rpartition("/")[0]
    urls = {}
    for name in SIZES:
        await pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "summary_bench_{name}" WITH (FORCE)')
        await pg_admin(args.postgres, f'CREATE DATABASE "summary_bench_{name}"')
        urls[name] = f"{base}/summary_bench_{name}"
    return urls


async def analyse(database: dbmod.Database) -> None:
    if database.engine.dialect.name == "postgresql":
        async with database.engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql("ANALYZE")


class StatementCounter:
    def __init__(self, database: dbmod.Database):
        self.count = 0
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args) -> None:
        self.count += 1


async def build_once(ctx: Context, trajectory_id: int, counter: StatementCounter) -> tuple[float, float, int]:
    """Data (the service) and blocks (the Slack builder) timed together; the chart
    (matplotlib, in the chart worker process) timed apart, as a post would draw it."""
    before = counter.count
    start = time.perf_counter()
    async with ctx.db.sessionmaker() as s:
        trajectory = await s.get(Trajectory, trajectory_id)
        vm = await summary.build(s, ctx, trajectory)
    statements = counter.count - before
    message = render(OutMessage("summary", vm, "nl"))
    assert len(message["blocks"]) <= 50
    data_time = time.perf_counter() - start
    start = time.perf_counter()
    png = await chart_worker.render({"organisations": vm["organisations"], "sessions": vm["session_rsvp"]}, "nl")
    assert png[:4] == b"\x89PNG"
    return data_time, time.perf_counter() - start, statements


async def status_once(ctx: Context, trajectory_id: int, counter: StatementCounter) -> tuple[float, int]:
    """``/dialoog status`` without the chat round trip: the summary built and its post
    written to the outbox (rolled back, so every round starts from the same rows)."""
    before = counter.count
    start = time.perf_counter()
    async with ctx.db.sessionmaker() as s:
        trajectory = await s.get(Trajectory, trajectory_id)
        assert await summary.post(s, ctx, trajectory)
        await s.flush()
        elapsed = time.perf_counter() - start
        await s.rollback()
    return elapsed, counter.count - before


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def figures(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1e3:.0f} ms (min {min(times) * 1e3:.0f})"


SIZES = {"small": (3, 10, 4, 5, 20), "large": (200, 2000, 50, 1000, 20000)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-serve", action="store_true", help="skip the RSS of the real serve process")
    parser.add_argument("--postgres", metavar="URL", help="run on PostgreSQL (an existing database to connect to first)")
    args = parser.parse_args()
    print(f"load average: {load()}")
    folder = Path(tempfile.mkdtemp(prefix="summary-bench-"))
    urls = await database_urls(args, folder)
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}")
    contexts, trajectories = {}, {}
    for name, size in SIZES.items():
        await migrate(urls[name])
        settings = load_settings({"DATABASE_URL": urls[name]}, dotenv=False)
        contexts[name] = Context(settings=settings, db=dbmod.Database(urls[name]), clock=ManualClock(NOW))
        started = time.perf_counter()
        trajectories[name] = await populate(contexts[name].db, *size)
        await analyse(contexts[name].db)
        print(f"{name}: {size[0]} organisations, {size[1]} people, {size[2]} sessions, {size[3]} commitments, "
              f"{size[4]} answers (populated in {time.perf_counter() - started:.1f} s)")
    counters = {name: StatementCounter(ctx.db) for name, ctx in contexts.items()}
    for name in contexts:  # warm up (imports, caches, font loading)
        await build_once(contexts[name], trajectories[name], counters[name])
        await status_once(contexts[name], trajectories[name], counters[name])
    times: dict[str, list[float]] = {name: [] for name in contexts}
    charts: dict[str, list[float]] = {name: [] for name in contexts}
    status: dict[str, list[float]] = {name: [] for name in contexts}
    statements: dict[str, int] = {}
    status_statements: dict[str, int] = {}
    for round_no in range(args.rounds):
        for name in (("small", "large") if round_no % 2 == 0 else ("large", "small")):
            elapsed, chart_time, statements[name] = await build_once(contexts[name], trajectories[name], counters[name])
            times[name].append(elapsed)
            charts[name].append(chart_time)
            elapsed, status_statements[name] = await status_once(contexts[name], trajectories[name], counters[name])
            status[name].append(elapsed)
    for name in contexts:
        print(f"{name:>5}: data + blocks {figures(times[name])}, {statements[name]} SQL statements per build; "
              f"chart (worker) median {statistics.median(charts[name]) * 1e3:.0f} ms")
        print(f"{'':>5}  status (build + outbox rows) {figures(status[name])}, {status_statements[name]} SQL statements")
        await contexts[name].db.dispose()
    chart_worker.shutdown()
    print(f"same statement count: summary {statements['small'] == statements['large']}, "
          f"status {status_statements['small'] == status_statements['large']}")
    print(f"chart ratio (large/small, in the worker): {statistics.median(charts['large']) / statistics.median(charts['small']):.2f}")
    print(f"status ratio (large/small): {statistics.median(status['large']) / statistics.median(status['small']):.2f}")
    if not args.no_serve:
        from home import serve_rss

        rss, peak = await serve_rss(urls["large"], folder)
        print(f"serve RSS after summaries, App Home and mijn: {rss:.0f} MB (peak {peak:.0f} MB)")
    print(f"load average: {load()}")
    if args.postgres:
        for name in SIZES:
            await pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "summary_bench_{name}" WITH (FORCE)')
    ratio = statistics.median(times["large"]) / statistics.median(times["small"])
    print(f"summary_time_ratio: {ratio:.2f} (target <= 3)")
    if not args.no_serve:
        print(f"serve_rss_mb: {rss:.0f} (target <= 150)")


if __name__ == "__main__":
    asyncio.run(main())
