"""Slack look-ups that keep failing during an import: the person is not dropped, the
``lookup_retry`` task looks them up again later, and the trekker gets the
``lookup_report`` message; a definite ``users_not_found`` ends the retries (issue 15
point 2)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.lookups import NOT_FOUND, TASK
from bot.models import Person, ScheduledTask
from tests.e2e.conftest import full_text, messages_containing

TREKKER = "trekker@voorbeeldstad.example"
COLLEGA = "collega@voorbeeldstad.example"
WELZIJN = "ambassadeur@welzijn.example"
ATTEMPTS = 6  # the finder's tries per person (scheduling.ratelimit.ATTEMPTS)
REPORT = "opnieuw opgezocht in Slack"


@pytest.fixture
def unknown_emails() -> set[str]:
    return {WELZIJN}  # not in the workspace: a definite users_not_found once Slack answers


async def person(h, email: str) -> Person:
    async with h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Person).where(Person.email == email))).scalars().first()


async def open_retries(h) -> list[ScheduledTask]:
    async with h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(ScheduledTask).where(ScheduledTask.kind == TASK, ScheduledTask.done_at.is_(None)))).scalars().all()


def lookups_of(h, email: str) -> int:
    return sum(1 for c in h.emu.calls_to("users.lookupByEmail") if c.args.get("email") == email)


async def retry_after(h, **delta: float) -> None:
    """Move the clock; the sweep starts the retry in the background; then send."""
    await h.tick(**delta)
    await h.ctx.jobs.idle()
    await h.drain()


async def test_a_storm_of_429s_5xx_and_resets_during_the_import_drops_nobody(harness):
    h = harness
    h.emu.set_random_faults("users.lookupByEmail", p_ratelimit=0.2, p_server_error=0.1, p_reset_before=0.1, seed=7)
    h.ctx.finders["slack"].sleep = _no_pause  # the 5xx pauses; a 429 still waits its Retry-After
    report = await h.import_example()
    statuses = [c.status for c in h.emu.calls_to("users.lookupByEmail")]
    assert 429 in statuses and 500 in statuses and 0 in statuses, statuses  # 0: the connection was reset
    assert report.unresolved == []
    assert [email for _, email in report.unreachable] == [WELZIJN]  # Slack said users_not_found
    for email in h.users:
        found = await person(h, email)
        assert found is None or found.slack_user_id == h.uid(email)
    assert await open_retries(h) == []


async def test_a_lookup_that_keeps_failing_is_retried_later_and_the_trekker_told(harness):
    h = harness
    h.emu.lookup_fails(COLLEGA, times=ATTEMPTS)  # every try of the import gets a 429
    report = await h.import_example()
    assert report.unresolved == [("Collega Gemeente", COLLEGA)]
    assert ("Collega Gemeente", COLLEGA) not in report.unreachable
    collega = await person(h, COLLEGA)
    assert collega.slack_user_id is None and collega.lookup_error == "ratelimited"
    assert len(await open_retries(h)) == 1

    await retry_after(h, minutes=4)
    assert lookups_of(h, COLLEGA) == ATTEMPTS, "retried before its time"
    await retry_after(h, minutes=2)
    collega = await person(h, COLLEGA)
    assert collega.slack_user_id == h.uid(COLLEGA) and collega.lookup_error is None
    told = messages_containing(h.emu, h.uid(TREKKER), REPORT)
    assert len(told) == 1
    text = full_text(told[0])
    assert "Lokaal hitteplan Voorbeeldstad" in text and "Alsnog gevonden: Collega Gemeente." in text, text

    # Nobody is left to look up: the later tries look up nobody and say nothing more.
    for hours in (1, 3, 13):
        await retry_after(h, hours=hours)
    assert lookups_of(h, COLLEGA) == ATTEMPTS + 1
    assert len(messages_containing(h.emu, h.uid(TREKKER), REPORT)) == 1
    assert await open_retries(h) == []


async def test_a_definite_users_not_found_on_the_retry_is_reported_and_ends_the_retries(harness):
    h = harness
    h.emu.lookup_fails(WELZIJN, times=ATTEMPTS, status=503)  # Slack has a bad moment (and does not know them)
    # 503s wait 1+2+5+10+30 s between tries: keep this test's clock short.
    h.ctx.finders["slack"].sleep = _no_pause
    report = await h.import_example()
    assert report.unresolved == [("Ambassadeur Welzijn", WELZIJN)]
    assert (await person(h, WELZIJN)).lookup_error == "http_503"

    await retry_after(h, minutes=6)
    gone = await person(h, WELZIJN)
    assert gone.slack_user_id is None and gone.lookup_error == NOT_FOUND
    told = messages_containing(h.emu, h.uid(TREKKER), REPORT)
    assert len(told) == 1 and "Niet in Slack: Ambassadeur Welzijn." in full_text(told[0]), full_text(told[0])
    looked = lookups_of(h, WELZIJN)
    for hours in (1, 3, 13):
        await retry_after(h, hours=hours)
    assert lookups_of(h, WELZIJN) == looked, "a person Slack does not know is looked up again and again"
    assert len(messages_containing(h.emu, h.uid(TREKKER), REPORT)) == 1


async def _no_pause(seconds: float) -> None:
    return None
