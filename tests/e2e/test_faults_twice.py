"""The same click twice has one effect (issue 14, point 4), on Slack.

Every button and form is delivered twice through the real /slack/events endpoint, at the
same moment (Slack retries a request it thinks timed out; people double-click): one state
change, one history row, one message update.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.models import (
    CommitmentEvent,
    EvaluationResponse,
    Invitation,
    MemoRecipient,
    OutboxMessage,
    PhaseTransition,
    SignOffEvent,
)
from tests.conftest import local
from tests.e2e.conftest import AMB_LINDE, BESTUUR_LINDE, COLLEGA, TREKKER, count, invitations_to
from tests.e2e.flows import answer_values, invite_and_answer, open_form, prompt_of, to_prompt_time
from tests.e2e.test_memos import memo_dms, send_memo


async def twice(deliver) -> list:
    """The same request twice at once; both must be answered without an error."""
    responses = await asyncio.gather(deliver(), deliver())
    assert [r.status for r in responses] == [200, 200], [r.body_text for r in responses]
    return responses


async def updates(h) -> int:
    async with h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.op == "update"))).scalar_one()


async def one_update(h, message, deliver) -> None:
    """``deliver`` twice at once: the message behind it is updated once."""
    before = await updates(h)
    await twice(deliver)
    await h.drain()
    assert await updates(h) == before + 1
    assert len(h.emu.message(message.channel, message.ts).versions) == 2


async def no_error_answers(h) -> None:
    assert not [r for r in h.emu.responses() if "Er ging iets mis" in str(r)]


async def test_commitment_button_and_status_form_twice(harness):
    h = harness
    await h.import_example()
    h.clock.set(local(2027, 3, 30, 9, 0))
    await h.tick()
    [message] = [m for m in h.emu.dm(h.uid(AMB_LINDE)) if "Afspraak van" in (m.text or "")]
    await one_update(h, message, lambda: h.drv.click(h.uid(AMB_LINDE), message, text="Gedaan"))
    assert await count(h, CommitmentEvent) == 1

    await h.drv.click(h.uid(AMB_LINDE), h.emu.message(message.channel, message.ts), text="Toch nog open")
    await h.drain()
    updated = h.emu.message(message.channel, message.ts)
    await h.drv.click(h.uid(AMB_LINDE), updated, text="Lukt niet")
    view = h.emu.open_views(h.uid(AMB_LINDE))[-1]
    await twice(lambda: h.drv.submit_view(h.uid(AMB_LINDE), view, values={"note": "Geen budget"}))
    await h.drain()
    async with h.ctx.db.sessionmaker() as s:
        statuses = (await s.execute(select(CommitmentEvent.to_status).order_by(CommitmentEvent.id))).scalars().all()
    assert statuses == ["done", "open", "blocked"]
    told = [m for m in h.emu.dm(h.uid(TREKKER)) if "niet lukt" in (m.text or "")]
    assert len(told) == 1
    await no_error_answers(h)


async def test_rsvp_buttons_and_the_colleague_form_twice(harness):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    [message] = invitations_to(h.emu, h.uid(AMB_LINDE))
    await one_update(h, message, lambda: h.drv.click(h.uid(AMB_LINDE), message, text="Ik kom"))

    [trekker_invite] = invitations_to(h.emu, h.uid(TREKKER))
    await h.drv.click(h.uid(TREKKER), trekker_invite, text="Ik stuur een collega")
    view = h.emu.open_views(h.uid(TREKKER))[-1]
    async with h.ctx.db.sessionmaker() as s:
        before_invitations = (await s.execute(select(func.count()).select_from(Invitation))).scalar_one()
    block = next(b for b in view["blocks"] if b.get("type") == "input")
    colleague = block["element"]["options"][0]["value"]
    await twice(lambda: h.drv.submit_view(h.uid(TREKKER), view, values={block["element"]["action_id"]: colleague}))
    await h.drain()
    async with h.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(Invitation))).scalar_one() <= before_invitations + 1
    assert len(h.emu.message(trekker_invite.channel, trekker_invite.ts).versions) == 2
    await no_error_answers(h)


async def test_memo_send_and_gelezen_twice(harness):
    h = harness
    await h.import_example()
    await send_memo(h, memo_title="Lees mij")
    [message] = memo_dms(h, AMB_LINDE)
    await one_update(h, message, lambda: h.drv.click(h.uid(AMB_LINDE), message, text="Gelezen"))
    async with h.ctx.db.sessionmaker() as s:
        read = (await s.execute(select(func.count()).select_from(MemoRecipient).where(MemoRecipient.read_at.is_not(None)))).scalar_one()
    assert read == 1
    await no_error_answers(h)


async def test_signoff_agree_and_decline_form_twice(harness):
    h = harness
    from tests.e2e.test_signoff import requests_to, start_round

    await start_round(h)
    [message] = requests_to(h, BESTUUR_LINDE)
    before = await updates(h)
    await twice(lambda: h.drv.click(h.uid(BESTUUR_LINDE), message, text="Akkoord namens Zorggroep De Linde"))
    await h.drain()
    assert await count(h, SignOffEvent) == 1
    sent_updates = await updates(h) - before
    assert sent_updates == len(requests_to(h, BESTUUR_LINDE) + requests_to(h, AMB_LINDE))  # one per asked person

    [thuis] = requests_to(h, "bestuur@thuiszorg.example")
    await h.drv.click(h.uid("bestuur@thuiszorg.example"), thuis, text="Niet akkoord")
    view = h.emu.open_views(h.uid("bestuur@thuiszorg.example"))[-1]
    await twice(lambda: h.drv.submit_view(h.uid("bestuur@thuiszorg.example"), view, values={"note": "Budget"}))
    await h.drain()
    assert await count(h, SignOffEvent) == 2
    told = [m for m in h.emu.dm(h.uid(TREKKER)) if "gaat niet akkoord" in str(m.blocks) + (m.text or "")]
    assert len(told) == 1
    await no_error_answers(h)


async def test_evaluation_form_twice(harness):
    h = harness
    await h.import_example()
    await invite_and_answer(h, {AMB_LINDE: "Ik kom"})
    await to_prompt_time(h)
    message = prompt_of(h, AMB_LINDE)
    _, view = await open_form(h, AMB_LINDE)
    values = answer_values(rating=4, choice="Deels", risico="Geen koele ruimte")
    await one_update(h, message, lambda: h.drv.submit_view(h.uid(AMB_LINDE), view, values=values))
    assert await count(h, EvaluationResponse) == 1
    await no_error_answers(h)


async def test_phase_move_form_twice(harness):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "fase 3")
    view = h.emu.open_views(h.uid(TREKKER))[-1]
    await twice(lambda: h.drv.submit_view(h.uid(TREKKER), view, values={"phase_reached": "Deels", "note": "Goed"}))
    await h.drain()
    assert await count(h, PhaseTransition) == 1
    assert len([m for m in h.emu.messages("#hitteplan") if "Nieuwe fase" in (m.text or "")]) == 1
    await no_error_answers(h)


async def test_two_colleague_answers_one_after_the_other(harness):
    """A retry after Slack's 3 s (sequential, not at once): still one effect."""
    h = harness
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    [message] = invitations_to(h.emu, h.uid(COLLEGA))
    for _ in range(2):
        await h.drv.click(h.uid(COLLEGA), message, text="Ik kan niet")
    await h.drain()
    assert len(h.emu.message(message.channel, message.ts).versions) == 2
