"""Building the phase-status summary (data + blocks + chart): a large trajectory
against a 10-person one, side by side in one run.

Large: 200 organisations, 2,000 people, 50 sessions (10,000 invitations), 1,000
commitments, 20,000 evaluation answers.  Rounds alternate between the two so
machine noise hits both alike.  Prints the time ratio (target <= 3), the SQL
statements per build for both (target: the same count, no N+1) and the peak RSS
of the process (target <= 150 MB).

    python bench/summary.py [--rounds 5]

Last line: ``summary_time_ratio: X.XX (target <= 3)``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert  # noqa: E402

from bot import db as dbmod  # noqa: E402
from bot.chart import render_for_outbox  # noqa: E402
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
                 "invited_at": NOW - timedelta(days=60), "revision": 0}
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


class StatementCounter:
    def __init__(self, database: dbmod.Database):
        self.count = 0
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args) -> None:
        self.count += 1


async def build_once(ctx: Context, trajectory_id: int, counter: StatementCounter) -> tuple[float, int]:
    """Data (the service), blocks (the Slack builder) and chart (matplotlib), as a post would."""
    before = counter.count
    start = time.perf_counter()
    async with ctx.db.sessionmaker() as s:
        trajectory = await s.get(Trajectory, trajectory_id)
        vm = await summary.build(s, ctx, trajectory)
    statements = counter.count - before
    message = render(OutMessage("summary", vm, "nl"))
    assert len(message["blocks"]) <= 50
    png = await asyncio.to_thread(render_for_outbox, {"organisations": vm["organisations"], "sessions": vm["session_rsvp"]}, "nl")
    assert png[:4] == b"\x89PNG"
    return time.perf_counter() - start, statements


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="summary-bench-"))
    contexts, trajectories = {}, {}
    sizes = {"small": (3, 10, 4, 5, 20), "large": (200, 2000, 50, 1000, 20000)}
    for name, size in sizes.items():
        url = f"sqlite:///{folder}/{name}.db"
        await migrate(url)
        settings = load_settings({"DATABASE_URL": url}, dotenv=False)
        contexts[name] = Context(settings=settings, db=dbmod.Database(url), clock=ManualClock(NOW))
        started = time.perf_counter()
        trajectories[name] = await populate(contexts[name].db, *size)
        print(f"{name}: {size[0]} organisations, {size[1]} people, {size[2]} sessions, {size[3]} commitments, "
              f"{size[4]} answers (populated in {time.perf_counter() - started:.1f} s)")
    print(f"peak RSS after populating: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    counters = {name: StatementCounter(ctx.db) for name, ctx in contexts.items()}
    for name in contexts:  # warm up (imports, caches, font loading)
        await build_once(contexts[name], trajectories[name], counters[name])
    times: dict[str, list[float]] = {name: [] for name in contexts}
    statements: dict[str, int] = {}
    for round_no in range(args.rounds):
        for name in (("small", "large") if round_no % 2 == 0 else ("large", "small")):
            elapsed, count = await build_once(contexts[name], trajectories[name], counters[name])
            times[name].append(elapsed)
            statements[name] = count
    for name in contexts:
        print(f"{name:>5}: median {statistics.median(times[name]) * 1e3:.0f} ms, {statements[name]} SQL statements per build")
        await contexts[name].db.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"same statement count: {statements['small'] == statements['large']}")
    print(f"peak RSS: {peak_mb:.0f} MB (target <= 150 MB)")
    ratio = statistics.median(times["large"]) / statistics.median(times["small"])
    print(f"summary_time_ratio: {ratio:.2f} (target <= 3)")


if __name__ == "__main__":
    asyncio.run(main())
