"""The importer's e-mail look-ups under Slack's Tier 3 limit: paced, retried after a
429's Retry-After, and nobody "not found" unless Slack says ``users_not_found``
(issue 15 point 2)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Person
from bot.slack.people import pacer_for

GONE = "ambassadeur@welzijn.example"  # not in the workspace: a definite users_not_found


@pytest.fixture
def unknown_emails() -> set[str]:
    return {GONE}


async def test_import_under_the_tier_limit_drops_nobody(harness):
    h = harness
    # Slack answers 429 (Retry-After: 1) once its bucket of 3 is empty; the bot paces
    # faster than Slack allows, so it must wait and try again instead of giving up.
    h.emu.set_rate_limit("users.lookupByEmail", per_minute=120, burst=3)
    h.ctx.finders["slack"].pacer = pacer_for(6000)
    report = await h.import_example()
    assert any(c.status == 429 for c in h.emu.calls_to("users.lookupByEmail")), "the limit was never reached"
    assert [email for _, email in report.unreachable] == [GONE]
    assert report.unresolved == []
    async with h.ctx.db.sessionmaker() as s:
        people = (await s.execute(select(Person).where(Person.email != GONE))).scalars().all()
        gone = (await s.execute(select(Person).where(Person.email == GONE))).scalars().all()
    assert people and all(p.slack_user_id == h.users[p.email] for p in people if p.email in h.users)
    assert all(p.lookup_error == "users_not_found" and p.slack_user_id is None for p in gone)
