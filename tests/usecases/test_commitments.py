"""The commitment use cases, without a platform: who may, which rules, what is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.interactions import commitments as uc
from bot.interactions.codec import BadContext, decode, encode
from bot.interactions.errors import Problems, Refused
from bot.limits import NOTE_LIMIT
from bot.models import Commitment, CommitmentEvent, Trajectory

OWNER = "ambassadeur@delinde.example"
TREKKER = "trekker@voorbeeldstad.example"
STRANGER = "ambassadeur@ggd.example"


async def commitment(world, key: str = "protocol-linde") -> Commitment:
    async with world.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Commitment).where(Commitment.key == key))).scalar_one()


async def events(world, c: Commitment) -> int:
    async with world.ctx.db.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(CommitmentEvent).where(CommitmentEvent.commitment_id == c.id))).scalar_one()


async def test_done_by_the_owner_is_recorded_and_the_message_revised(world):
    async with world.ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalars().first()
    await uc.reminder_round(world.ctx, world.user(TREKKER), trajectory.id)
    await world.drain()
    world.bot.dispatcher._wake.clear()
    c = await commitment(world)
    before = await events(world, c)
    pressed = await uc.press(world.ctx, world.user(OWNER), str(c.id), "done")
    assert pressed.form is None and pressed.commitment.status == "done"
    assert await events(world, c) == before + 1
    # The commit that revised the message woke the dispatcher: nobody calls it by hand.
    assert world.bot.dispatcher._wake.is_set()
    await world.drain()
    assert world.chat.transcript[-1][0] == "update"


async def test_a_stranger_is_refused_and_nothing_changes(world):
    c = await commitment(world)
    before = await events(world, c)
    with pytest.raises(Refused) as refused:
        await uc.press(world.ctx, world.user(STRANGER), c.id, "done")
    assert refused.value.key == "commitment.refused"
    assert (await commitment(world)).status == "open"
    assert await events(world, c) == before


@pytest.mark.parametrize("raw", ["", "abc", "-1", "1" * 30, None, 2**70])
async def test_a_damaged_id_is_an_unknown_commitment(world, raw):
    with pytest.raises(Refused) as refused:
        await uc.press(world.ctx, world.user(OWNER), raw, "done")
    assert refused.value.key == "commitment.unknown"


async def test_blocked_opens_a_form_that_needs_a_note(world):
    c = await commitment(world)
    pressed = await uc.press(world.ctx, world.user(OWNER), c.id, "blocked")
    assert pressed.form == uc.StatusForm(c.id, "blocked", c.description[:200], "message", None)
    with pytest.raises(Problems) as problems:
        await uc.submit_status(world.ctx, world.user(OWNER), pressed.form, uc.StatusInput(note=""))
    assert problems.value.fields["note"].key == "commitment.errors.note_required"
    with pytest.raises(Problems) as problems:
        await uc.submit_status(world.ctx, world.user(OWNER), pressed.form, uc.StatusInput(note="x" * (NOTE_LIMIT + 1)))
    assert problems.value.fields["note"].key == "commitment.errors.note_long"
    assert (await commitment(world)).status == "open"
    await uc.submit_status(world.ctx, world.user(OWNER), pressed.form, uc.StatusInput(note="Geen budget"))
    assert (await commitment(world)).status == "blocked"


async def test_snooze_needs_a_future_date(world, clock):
    c = await commitment(world)
    form = (await uc.press(world.ctx, world.user(OWNER), c.id, "snoozed")).form
    with pytest.raises(Problems) as problems:
        await uc.submit_status(world.ctx, world.user(OWNER), form, uc.StatusInput(snooze="date", snooze_date=clock.now().date().isoformat()))
    assert set(problems.value.fields) == {"snooze_date"}
    await uc.submit_status(world.ctx, world.user(OWNER), form, uc.StatusInput(snooze="week"))
    assert (await commitment(world)).snoozed_until == clock.now().date() + timedelta(days=7)


async def test_the_form_context_survives_the_round_trip_and_refuses_forgeries():
    form = uc.StatusForm(12, "busy", "Iets doen", "home", None)
    assert decode(uc.StatusForm, encode(form)) == form
    for forged in ("12:busy:home", "[1]", '{"v":1,"commitment_id":12,"to":"done"}', '{"v":1,"commitment_id":-3,"to":"busy"}'):
        with pytest.raises(BadContext):
            decode(uc.StatusForm, forged)


async def test_a_new_commitment_is_for_trekkers_and_checked_per_field(world):
    async with world.ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalars().first()
    with pytest.raises(Refused):
        await uc.add_form(world.ctx, world.user(OWNER), trajectory.id)
    vm = await uc.add_form(world.ctx, world.user(TREKKER), trajectory.id)
    linde = next(o for o in vm["organisations"] if o["people"] and "Linde" in o["name"])
    with pytest.raises(Problems) as problems:
        await uc.add(world.ctx, world.user(TREKKER), uc.AddForm(trajectory.id), uc.NewInput(organisation=linde["id"]))
    assert {"owner", "description", "due"} <= set(problems.value.fields)
    owner = linde["people"][0]["id"]
    made = await uc.add(
        world.ctx, world.user(TREKKER), uc.AddForm(trajectory.id),
        uc.NewInput(organisation=str(linde["id"]), owner=str(owner), description="Koelplan maken", due="2027-06-01", phase="2"),
    )
    assert made.source == "chat" and made.status == "open"
    with pytest.raises(Refused):
        await uc.add(world.ctx, world.user(OWNER), uc.AddForm(trajectory.id),
                     uc.NewInput(organisation=str(linde["id"]), owner=str(owner), description="x", due="2027-06-01"))


async def test_the_reminder_round_is_for_trekkers(world):
    async with world.ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalars().first()
    with pytest.raises(Refused):
        await uc.reminder_round(world.ctx, world.user(OWNER), trajectory.id)
    done = await uc.reminder_round(world.ctx, world.user(TREKKER), trajectory.id)
    assert done.sent == 3
    await world.drain()
    assert "commitment_reminder" in world.sent_to(OWNER)
