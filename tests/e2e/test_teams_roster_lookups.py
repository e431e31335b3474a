"""Teams roster look-ups under 429s and transient errors: paced, retried (Retry-After
honoured), nobody "not in the team" unless a complete roster says so; people Teams
did not answer for are looked up again by the ``lookup_retry`` task and the trekker
gets the ``lookup_report`` message (issue 15 point 2)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.lookups import TASK
from bot.models import Person, ScheduledTask
from bot.teams.roster import ATTEMPTS, PAGE_SIZE
from tests.e2e.conftest import START_INVITEES, TREKKER
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)

EVERYONE = START_INVITEES + ["bestuur@delinde.example", "bestuur@thuiszorg.example"]  # the trekker too
OTHERS = [e for e in EVERYONE if e != TREKKER]
THUISZORG = "bestuur@thuiszorg.example"
WELZIJN = "ambassadeur@welzijn.example"
PAGED = "/pagedmembers"
REPORT = "Ik heb het team opnieuw bekeken"


async def people(th) -> dict[str, Person]:
    async with th.ctx.db.sessionmaker() as s:
        return {p.email: p for p in (await s.execute(select(Person))).scalars()}


async def open_retries(th) -> list[ScheduledTask]:
    async with th.ctx.db.sessionmaker() as s:
        query = select(ScheduledTask).where(ScheduledTask.kind == TASK, ScheduledTask.done_at.is_(None))
        return (await s.execute(query)).scalars().all()


def roster_reads(th) -> list:
    return [c for c in th.conn.calls if c.method == "GET" and PAGED in c.path]


def reports(th) -> list[str]:
    return [p.text for p in th.chat_with(TREKKER) if REPORT in p.text]


async def retry_after(th, **delta: float) -> None:
    """Move the clock; the sweep starts the retry in the background; then send."""
    await th.tick(**delta)
    await th.ctx.jobs.idle()
    await th.drain()


async def _no_pause(seconds: float) -> None:
    return None


@pytest.fixture
def big_team(th) -> list[str]:
    """A team of 1,200 people besides the trajectory's: its roster is three pages, the
    trajectory's people on the last one."""
    extra = [th.conn.add_user(f"29:x{i:04d}", f"Collega {i}", f"mens{i}@elders.example")["id"] for i in range(1200)]
    th.conn.add_team(TEAM, extra + [th.tid(e) for e in EVERYONE])
    return extra


async def test_a_storm_of_429s_and_transient_errors_on_the_roster_drops_nobody(th, big_team):
    await th.import_example()
    th.bot.teams.chat.roster.sleep = _no_pause  # the 5xx pauses (1, 2, 5 s): the clock of this test stays short
    th.conn.fail_next("GET", PAGED, 429, retry_after=1, times=2)  # the first page: Retry-After honoured
    th.conn.fail_next("GET", f"continuationToken={PAGE_SIZE}", 503, times=1)  # the second page
    th.conn.fail_next("GET", f"continuationToken={2 * PAGE_SIZE}", 0, times=1)  # the third: the connection drops
    r = await th.koppel(TREKKER)
    assert r.status == 202, r.body
    assert "8 mensen" in r.text, r.text
    assert "Teams gaf nu geen antwoord" not in r.text
    found = await people(th)
    assert all(found[e].teams_user_id == th.tid(e) for e in EVERYONE)
    statuses = [c.status for c in roster_reads(th)]
    assert statuses.count(429) == 2 and statuses.count(503) == 1 and statuses.count(200) == 3, statuses
    assert await open_retries(th) == []  # nothing left to look up


async def test_a_roster_that_keeps_failing_is_read_again_later_and_the_trekker_told(th):
    await th.import_example()
    th.team_of([e for e in EVERYONE if e != THUISZORG])
    th.conn.fail_next("GET", PAGED, 429, retry_after=1, times=ATTEMPTS)  # every try of koppel
    r = await th.koppel(TREKKER)
    assert r.status == 202, r.body
    assert "Teams gaf nu geen antwoord" in r.text and "Collega Gemeente" in r.text, r.text
    assert "Niet bereikbaar" not in r.text, r.text  # waiting for Teams is not "unreachable"
    assert len(await open_retries(th)) == 1
    before = await people(th)
    assert before[TREKKER].teams_user_id  # linked when they wrote to the bot
    assert all(before[e].teams_user_id is None for e in OTHERS)

    await retry_after(th, minutes=4)
    assert len(roster_reads(th)) == ATTEMPTS, "read again before its time"
    await retry_after(th, minutes=2)
    after = await people(th)
    assert all(after[e].teams_user_id == th.tid(e) for e in EVERYONE if e != THUISZORG)
    assert after[THUISZORG].teams_user_id is None
    told = reports(th)
    assert len(told) == 1, [p.text for p in th.chat_with(TREKKER)]
    assert "Lokaal hitteplan Voorbeeldstad" in told[0] and "Alsnog gevonden in Teams" in told[0], told[0]
    assert "Collega Gemeente" in told[0] and "Niet in het team: Bestuurder Thuiszorg." in told[0], told[0]

    # A complete roster is a definite answer: nobody is read again for, nothing more is said.
    reads = len(roster_reads(th))
    for hours in (1, 3, 13):
        await retry_after(th, hours=hours)
    assert len(roster_reads(th)) == reads
    assert len(reports(th)) == 1
    assert await open_retries(th) == []


async def test_someone_not_in_a_complete_roster_is_not_retried(th):
    await th.import_example()
    th.team_of([e for e in EVERYONE if e != THUISZORG])
    r = await th.koppel(TREKKER)
    assert "Bestuurder Thuiszorg" in r.text and "Niet bereikbaar" in r.text, r.text
    assert "Teams gaf nu geen antwoord" not in r.text
    assert await open_retries(th) == []


async def test_a_transient_error_on_a_first_message_is_retried(th):
    await th.import_example()
    th.bot.teams.chat.roster.sleep = _no_pause
    th.conn.fail_next("GET", f"/members/{th.tid(WELZIJN)}", 502, times=2)
    r = await th.teams.install(th.tid(WELZIJN))
    assert r.status in (200, 201, 202), r.body
    found = await people(th)
    assert found[WELZIJN].teams_user_id == th.tid(WELZIJN)
    assert [c.status for c in th.conn.calls if c.path.endswith(f"/members/{th.tid(WELZIJN)}")] == [502, 502, 200]
