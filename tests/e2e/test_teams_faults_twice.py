"""The same press twice has one effect on Teams too (issue 14, point 4): card actions
delivered twice at once through /api/messages (the same ``Action.Execute`` invoke)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.models import CommitmentEvent, OutboxMessage
from tests.e2e.test_teams_commitments import EVERYONE, LINDE, ready, reminder
from tests.e2e.test_teams_invitations import invitation
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)

AMB_LINDE = "ambassadeur@delinde.example"
TREKKER = "trekker@voorbeeldstad.example"


async def invited(th, drain: bool = True):
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    await th.say(TREKKER, "uitnodigen start")
    if drain:
        await th.drain()


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


# -- no answer to a post: Teams cannot be asked, so at most one more try -----------------------


async def test_an_invitation_without_an_answer_is_sent_at_most_once_more(th):
    """The connector has no call to list a conversation's activities: a post that got no
    answer is sent once more, and a second one without an answer is marked failed."""
    await invited(th, drain=False)
    th.conn.reset_after_send_next(1)
    for _ in range(3):
        th.clock.advance(seconds=30)
        await th.drain()
    assert len(th.cards_with(AMB_LINDE, "Uitnodiging")) <= 2
    async with th.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(OutboxMessage.status, OutboxMessage.last_error).where(OutboxMessage.op == "direct"))).all()
    assert {status for status, _ in rows} == {"sent"}

    await th.say("trekker@voorbeeldstad.example", "herinneren start")
    th.conn.reset_after_send_next(1)  # the answer to the command went out; now the reminders
    await th.drain()  # one of them gets no answer: in doubt
    th.conn.reset_after_send_next(1)
    for _ in range(3):
        th.clock.advance(seconds=30)
        await th.drain()  # it is sent once more, again without an answer
    async with th.ctx.db.sessionmaker() as s:
        reminders = (await s.execute(select(OutboxMessage.status, OutboxMessage.last_error).where(OutboxMessage.key.like("remind-now:%")))).all()
    assert ("failed", "unknown_outcome") in reminders  # two posts without an answer: not a third
    assert len([r for r in reminders if r[0] == "sent"]) == len(reminders) - 1
