"""The same press twice has one effect on Teams too (issue 14, point 4): card actions
delivered twice at once through /api/messages (the same ``Action.Execute`` invoke)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.models import CommitmentEvent, OutboxMessage
from tests.e2e.test_teams_commitments import LINDE, ready, reminder
from tests.e2e.test_teams_invitations import invitation
from tests.e2e.test_teams_rsvp_refusals import invited
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)

AMB_LINDE = "ambassadeur@delinde.example"


async def updates(th) -> int:
    async with th.ctx.db.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.op == "update"))).scalar_one()


async def count(th, model) -> int:
    async with th.ctx.db.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_commitment_done_twice_is_one_change(th):
    await ready(th)
    card = await reminder(th)
    before = await updates(th)
    responses = await asyncio.gather(th.teams.execute(th.tid(LINDE), card, "Gedaan"),
                                     th.teams.execute(th.tid(LINDE), card, "Gedaan"))
    assert all(r.status in (200, 201, 202) for r in responses), [(r.status, r.text) for r in responses]
    await th.drain()
    assert await count(th, CommitmentEvent) == 1
    assert await updates(th) - before <= 1  # the invoke answer replaced the card; at most one update
    assert len(th.conn.calls_to("PUT")) <= 1


async def test_rsvp_twice_is_one_answer(th):
    await invited(th)
    card = invitation(th, AMB_LINDE)
    before = await updates(th)
    responses = await asyncio.gather(th.teams.execute(th.tid(AMB_LINDE), card, "Ik kom"),
                                     th.teams.execute(th.tid(AMB_LINDE), card, "Ik kom"))
    assert all(r.status == 200 for r in responses)
    await th.drain()
    assert await updates(th) - before == 1
    assert len(th.conn.calls_to("PUT")) <= 1
