"""App Home, ``mijn``, the status command and the summary cost a fixed number of SQL
statements, however many sessions, invitations and commitments there are (issue 15,
point 4).  Counted with an engine event listener, through the real endpoints; the
same trajectory is measured small, then grown by a re-import."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta

from sqlalchemy import event

from tests.e2e.conftest import TREKKER, dump, example_data

SMALL = (1, 2)  # extra sessions, extra commitments (half of them the trekker's own)
LARGE = (25, 120)


def grown(extra_sessions: int, extra_commitments: int) -> str:
    data = example_data()
    start = next(s for s in data["sessions"] if s["key"] == "start")
    first = datetime(2027, 3, 16, 14, 0)
    for i in range(extra_sessions):
        when = first + timedelta(days=7 * i)
        data["sessions"].append({**start, "key": f"extra{i}", "title": f"Extra bijeenkomst {i}",
                                 "starts": when.strftime("%Y-%m-%d %H:%M"),
                                 "ends": (when + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")})
    owners = [p for p in data["people"] if p["organisation"] != "gemeente"]
    for i in range(extra_commitments):
        owner = TREKKER if i % 2 else owners[i % len(owners)]["email"]
        organisation = "gemeente" if owner == TREKKER else owners[i % len(owners)]["organisation"]
        data["commitments"].append({"key": f"extra-{i}", "organisation": organisation, "owner": owner,
                                    "description": f"Afspraak {i}", "due": date(2027, 4, 1) + timedelta(days=i % 90),
                                    "phase": 2})
    return dump(data)


@contextlib.contextmanager
def counting(h):
    statements: list[str] = []

    def on_execute(conn, cursor, statement, *args):
        statements.append(statement)

    engine = h.ctx.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


async def invite_all(h) -> None:
    from bot.models import Session
    from sqlalchemy import select

    async with h.ctx.db.sessionmaker() as s:
        keys = (await s.execute(select(Session.key).where(Session.invited_at.is_(None)))).scalars().all()
    for key in keys:
        await h.command(TREKKER, f"uitnodigen {key}")
    await h.drain()


async def measure(h) -> dict[str, int]:
    uid = h.uid(TREKKER)
    counts = {}
    with counting(h) as home:
        r = await h.drv.app_home_opened(uid)
        assert r.status == 200
    counts["home"] = len(home)
    with counting(h) as mine:
        await h.command(TREKKER, "mijn")
    counts["mijn"] = len(mine)
    h.clock.advance(days=1)  # a new summary slot
    with counting(h) as status:
        await h.command(TREKKER, "status")
    counts["status"] = len(status)
    with counting(h) as summary:
        await h.drain()
    counts["summary"] = len(summary)
    return counts


async def test_views_cost_the_same_statements_at_any_size(harness):
    h = harness
    await h.import_example(text=grown(*SMALL))
    await invite_all(h)
    small = await measure(h)
    await h.import_example(text=grown(*LARGE))  # the same trajectory, grown
    await invite_all(h)
    large = await measure(h)
    assert large == small, f"small {small}, large {large}"
