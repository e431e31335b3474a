"""The phase and summary use cases, without a platform: who may, which rules, what is
recorded and announced."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.interactions import phases as uc
from bot.interactions import summary as summary_uc
from bot.interactions.codec import BadContext, decode, encode
from bot.interactions.errors import Problems, Refused
from bot.limits import NOTE_LIMIT
from bot.models import PhaseTransition, Session, SummaryPost, Trajectory

TREKKER = "trekker@voorbeeldstad.example"
OTHER = "ambassadeur@delinde.example"


async def trajectory(world) -> Trajectory:
    async with world.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Trajectory))).scalars().one()


async def transitions(world) -> int:
    async with world.ctx.db.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(PhaseTransition))).scalar_one()


async def test_only_a_trekker_opens_the_form_and_only_for_another_phase(world):
    t = await trajectory(world)
    with pytest.raises(Refused) as refused:
        await uc.open_move(world.ctx, world.user(OTHER), t.id, "3")
    assert refused.value.key == "command.not_trekker"
    for word, key in (("7", "phase.bad_number"), ("abc", "phase.bad_number"), (None, "phase.bad_number"), ("2", "phase.same_phase")):
        with pytest.raises(Refused) as refused:
            await uc.open_move(world.ctx, world.user(TREKKER), t.id, word)
        assert refused.value.key == key, word
    vm = await uc.open_move(world.ctx, world.user(TREKKER), t.id, "3")
    assert vm["form"] == uc.PhaseForm(t.id, 3) and vm["to"]["number"] == 3 and vm["current"]["number"] == 2


async def test_the_form_rules_are_checked_together_and_nothing_is_recorded(world):
    t = await trajectory(world)
    form = uc.PhaseForm(t.id, 3)
    with pytest.raises(Problems) as problems:
        await uc.move(world.ctx, world.user(TREKKER), form, uc.MoveInput(reached=None, note="x" * (NOTE_LIMIT + 1)))
    assert {name: p.key for name, p in problems.value.fields.items()} == {"reached": "phase.errors.reached", "note": "phase.errors.note_long"}
    assert problems.value.fields["note"].params == {"limit": NOTE_LIMIT}
    with pytest.raises(Problems):
        await uc.move(world.ctx, world.user(TREKKER), form, uc.MoveInput(reached="maybe"))
    assert await transitions(world) == 0 and (await trajectory(world)).current_phase == 2


async def test_a_stranger_cannot_submit_the_form(world):
    t = await trajectory(world)
    with pytest.raises(Refused) as refused:
        await uc.move(world.ctx, world.user(OTHER), uc.PhaseForm(t.id, 3), uc.MoveInput(reached="yes"))
    assert refused.value.key == "command.not_trekker"
    assert await transitions(world) == 0


async def test_the_move_is_recorded_and_announced_in_the_status_channel(world):
    t = await trajectory(world)
    done = await uc.move(world.ctx, world.user(TREKKER), uc.PhaseForm(t.id, 3), uc.MoveInput(reached="partly", note="Bijna"))
    assert (done.trajectory, done.number) == (t.title, 3) and done.channels
    assert (await trajectory(world)).current_phase == 3
    async with world.ctx.db.sessionmaker() as s:
        [row] = (await s.execute(select(PhaseTransition))).scalars().all()
    assert (row.from_phase, row.to_phase, row.reached, row.note) == (2, 3, "partly", "Bijna")
    await world.drain()
    [announced] = [m for kind, _, m in world.chat.transcript if kind == "channel" and m.template == "phase_announcement"]
    assert announced.data["note"] == "Bijna" and announced.data["to"]["number"] == 3
    # The same form again (a second click, or a stale form): the trajectory is there already.
    with pytest.raises(Refused) as refused:
        await uc.move(world.ctx, world.user(TREKKER), uc.PhaseForm(t.id, 3), uc.MoveInput(reached="yes"))
    assert refused.value.key == "phase.same_phase"
    assert await transitions(world) == 1


@pytest.mark.parametrize("raw", ["1:3", "", "{}", '{"v":1,"trajectory_id":"1","to":3}', '{"v":1,"trajectory_id":1}',
                                 '{"v":2,"trajectory_id":1,"to":3}', '{"v":1,"trajectory_id":-1,"to":3}',
                                 '{"v":1,"trajectory_id":' + "9" * 30 + ',"to":3}'])
async def test_a_damaged_form_context_is_refused_by_the_codec(raw):
    with pytest.raises(BadContext):
        decode(uc.PhaseForm, raw)


async def test_a_forged_context_for_an_unknown_trajectory_is_refused(world):
    form = decode(uc.PhaseForm, encode(uc.PhaseForm(999_999, 3)))
    with pytest.raises(Refused) as refused:
        await uc.move(world.ctx, world.user(TREKKER), form, uc.MoveInput(reached="yes"))
    assert refused.value.key == "command.unknown_trajectory_record"


# -- the summary --------------------------------------------------------------------


async def test_the_summary_is_posted_by_a_trekker_only(world):
    t = await trajectory(world)
    with pytest.raises(Refused) as refused:
        await summary_uc.post(world.ctx, world.user(OTHER), t.id)
    assert refused.value.key == "command.not_trekker"
    posted = await summary_uc.post(world.ctx, world.user(TREKKER), t.id)
    assert posted.channels and posted.send_at is None
    async with world.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(SummaryPost))).scalar_one() == 1
    await world.drain()
    assert [m.template for kind, _, m in world.chat.transcript if kind == "channel"] == ["summary"]


async def test_the_remind_button_needs_a_trekker_and_a_known_session(world):
    async with world.ctx.db.sessionmaker() as s:
        session = (await s.execute(select(Session).order_by(Session.starts_at))).scalars().first()
    for raw in ("", "abc", "-3", "999999"):
        with pytest.raises(Refused) as refused:
            await summary_uc.remind(world.ctx, world.user(TREKKER), raw)
        assert refused.value.key == "summary.unknown_session"
    with pytest.raises(Refused) as refused:
        await summary_uc.remind(world.ctx, world.user(OTHER), session.id)
    assert refused.value.key == "command.not_trekker"
    done = await summary_uc.remind(world.ctx, world.user(TREKKER), str(session.id))
    assert (done.title, done.sent, done.already_today) == (session.title, 0, 0)  # nobody invited yet
