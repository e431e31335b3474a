"""Sweep cost with nothing due: a large database against an empty one, side by side.

100 trajectories x 500 people x 5 commitments each (250,000 commitments, each with
its open reminder and escalation tasks in the future) against an empty database.
The sweep should cost the same on both: it walks the partial index on open
``due_at`` and finds nothing.  Rounds alternate between the two databases so
machine noise hits both alike.

    python bench/sweep.py [--trajectories 100] [--people 500] [--per-person 5] [--rounds 300]

Last line: ``sweep_ratio: X.XX (target <= 1.2)``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert  # noqa: E402

from bot import db as dbmod  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.context import Context  # noqa: E402
from bot.models import Commitment, Organisation, Person, ScheduledTask, Trajectory  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from scheduling.sweep import sweep_once  # noqa: E402

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=timezone.utc)


async def populate(database: dbmod.Database, trajectories: int, people: int, per_person: int) -> int:
    """Bulk-insert the big data set; returns the number of commitments."""
    total = 0
    async with database.transaction() as s:
        for t in range(trajectories):
            traj = (await s.execute(insert(Trajectory).returning(Trajectory.id), [{
                "key": f"t{t}", "title": f"Traject {t}", "language": "nl", "timezone": "Europe/Amsterdam",
                "status_channels": [], "current_phase": 2, "reminders": {},
            }])).scalar_one()
            orgs = (await s.execute(insert(Organisation).returning(Organisation.id), [
                {"trajectory_id": traj, "key": f"o{o}", "name": f"Organisatie {o}"} for o in range(50)
            ])).scalars().all()
            person_ids = (await s.execute(insert(Person).returning(Person.id), [
                {"trajectory_id": traj, "organisation_id": orgs[p % 50], "name": f"Persoon {p}",
                 "email": f"p{p}@t{t}.example", "roles": ["ambassadeur"], "active": True}
                for p in range(people)
            ])).scalars().all()
            rows = []
            for i, pid in enumerate(person_ids):
                for c in range(per_person):
                    rows.append({"trajectory_id": traj, "key": f"c{i}-{c}", "organisation_id": orgs[i % 50],
                                 "owner_id": pid, "description": "Afspraak", "due": date(2027, 6, 1) + timedelta(days=c),
                                 "status": "open", "source": "file"})
            ids = (await s.execute(insert(Commitment).returning(Commitment.id), rows)).scalars().all()
            await s.execute(insert(ScheduledTask), [
                {"key": f"{kind}:{cid}", "kind": kind, "ref_id": cid,
                 "due_at": NOW + timedelta(days=30 + (cid % 90), hours=kind == "commitment_escalation")}
                for cid in ids for kind in ("commitment_reminder", "commitment_escalation")
            ])
            total += len(ids)
    return total


class StatementCounter:
    def __init__(self, database: dbmod.Database):
        self.count = 0
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args) -> None:
        self.count += 1


async def measure(ctx: Context, counter: StatementCounter) -> tuple[float, int]:
    before = counter.count
    start = time.perf_counter()
    handled = await sweep_once(ctx)
    elapsed = time.perf_counter() - start
    assert handled == 0, "nothing should be due"
    return elapsed, counter.count - before


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=100)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--per-person", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="sweep-bench-"))
    contexts = {}
    for name in ("empty", "large"):
        url = f"sqlite:///{folder}/{name}.db"
        await asyncio.to_thread(dbmod.upgrade, url)
        settings = load_settings({"DATABASE_URL": url}, dotenv=False)
        contexts[name] = Context(settings=settings, db=dbmod.Database(url), clock=ManualClock(NOW))
    started = time.perf_counter()
    commitments = await populate(contexts["large"].db, args.trajectories, args.people, args.per_person)
    print(f"populated {commitments:,} commitments ({2 * commitments:,} open tasks) in {time.perf_counter() - started:.1f} s")

    counters = {name: StatementCounter(ctx.db) for name, ctx in contexts.items()}
    times: dict[str, list[float]] = {"empty": [], "large": []}
    statements: dict[str, int] = {}
    for ctx in contexts.values():  # warm up connections and caches
        await sweep_once(ctx)
    for round_no in range(args.rounds):
        order = ("empty", "large") if round_no % 2 == 0 else ("large", "empty")
        for name in order:
            elapsed, count = await measure(contexts[name], counters[name])
            times[name].append(elapsed)
            statements[name] = count
    for name in ("empty", "large"):
        print(f"{name:>5}: median {statistics.median(times[name]) * 1e3:.3f} ms, "
              f"p90 {statistics.quantiles(times[name], n=10)[-1] * 1e3:.3f} ms, {statements[name]} SQL statements per sweep")
        await contexts[name].db.dispose()
    ratio = statistics.median(times["large"]) / statistics.median(times["empty"])
    print(f"sweep_ratio: {ratio:.2f} (target <= 1.2)")


if __name__ == "__main__":
    asyncio.run(main())
