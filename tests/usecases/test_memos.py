"""The memo use cases, without a platform: who may, which rules, what is recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.interactions import memos as uc
from bot.interactions.codec import BadContext, decode, encode
from bot.interactions.errors import Problems, Refused
from bot.limits import MEMO_BODY_LIMIT, MEMO_TITLE_LIMIT
from bot.models import Memo, MemoRecipient, OutboxMessage, Person, Trajectory

TREKKER = "trekker@voorbeeldstad.example"
COLLEGA = "collega@voorbeeldstad.example"
READER = "ambassadeur@ggd.example"
OTHER = "ambassadeur@delinde.example"

DRAFT = uc.Draft(title="Doel en opzet", body="Het *doel* van het traject.", audience="all")


async def trajectory_id(world) -> int:
    async with world.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Trajectory.id))).scalars().first()


async def memo_rows(world) -> list[Memo]:
    async with world.ctx.db.sessionmaker() as s:
        return list((await s.execute(select(Memo).order_by(Memo.id))).scalars())


async def previewed(world, draft: uc.Draft = DRAFT, email: str = TREKKER) -> dict:
    form = (await uc.form(world.ctx, world.user(email), await trajectory_id(world)))["form"]
    return await uc.preview(world.ctx, world.user(email), form, draft)


async def test_the_form_is_for_trekkers_only(world):
    tid = await trajectory_id(world)
    vm = await uc.form(world.ctx, world.user(TREKKER), tid)
    assert vm["form"] == uc.MemoForm(tid) and vm["language"] == "nl"
    with pytest.raises(Refused) as refused:
        await uc.form(world.ctx, world.user(READER), tid)
    assert refused.value.key == "command.not_trekker"
    with pytest.raises(Refused):
        await uc.overview(world.ctx, world.user(READER), tid)


@pytest.mark.parametrize(
    "draft, field, key",
    [
        (uc.Draft(title="  ", body="b", audience="all"), "title", "memo.errors.required"),
        (uc.Draft(title="t", body="", audience="all"), "body", "memo.errors.required"),
        (uc.Draft(title="t" * (MEMO_TITLE_LIMIT + 1), body="b", audience="all"), "title", "memo.errors.too_long"),
        (uc.Draft(title="t", body="b" * (MEMO_BODY_LIMIT + 1), audience="all"), "body", "memo.errors.too_long"),
        (uc.Draft(title="\x00\x00", body="b", audience="all"), "title", "memo.errors.required"),
        (uc.Draft(title="t", body="b", audience="admins"), "audience", "memo.errors.required"),
        (uc.Draft(title="t", body="b", audience="roles"), "roles", "memo.errors.pick_roles"),
        (uc.Draft(title="t", body="b", audience="roles", roles=["koning"]), "roles", "memo.errors.not_an_option"),
        (uc.Draft(title="t", body="b", audience="all", report="before"), "session", "memo.errors.report_needs_session"),
        (uc.Draft(title="t", body="b", audience="all", reminder_days=400), "reminder", "memo.errors.not_an_option"),
        (uc.Draft(title="t", body="b", audience="roles", roles=["expert"]), "audience", "memo.errors.nobody"),
    ],
)
async def test_each_rule_is_a_field_problem_and_saves_nothing(world, draft, field, key):
    with pytest.raises(Problems) as problems:
        await previewed(world, draft)
    assert problems.value.fields[field].key == key
    assert await memo_rows(world) == []


async def test_nul_characters_are_taken_out_of_title_and_body(world):
    vm = await previewed(world, uc.Draft(title="Doel\x00 en opzet", body="Het\x00 doel", audience="all"))
    [memo] = await memo_rows(world)
    assert (memo.title, memo.body) == ("Doel en opzet", "Het doel")
    assert vm["form"] == uc.PreviewForm(memo.id) and vm["count"] == 7


async def test_send_records_recipients_and_outbox_rows_once(world):
    vm = await previewed(world)
    world.bot.dispatcher._wake.clear()
    result = await uc.send(world.ctx, world.user(TREKKER), vm["form"])
    assert result.sent == 7 and result.memo.status == "sent"
    assert world.bot.dispatcher._wake.is_set(), "the commit woke the dispatcher by itself"
    with pytest.raises(uc.AlreadySent):
        await uc.send(world.ctx, world.user(TREKKER), vm["form"])
    with pytest.raises(uc.AlreadySent):
        await uc.ready(world.ctx, world.user(TREKKER), vm["form"])
    async with world.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(MemoRecipient))).scalar_one() == 7
        rows = (await s.execute(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.key.like("memo:%")))).scalar_one()
    assert rows == 7
    await world.drain()
    assert world.sent_to(READER) == ["memo"] and world.sent_to(TREKKER) == ["memo_sent"]


async def test_nobody_but_the_author_may_edit_or_send_the_draft(world):
    vm = await previewed(world)
    for attempt in (uc.send, uc.ready, uc.edit):
        with pytest.raises(Refused) as refused:
            await attempt(world.ctx, world.user(READER), vm["form"])
        assert refused.value.key == "memo.errors.not_yours"
    assert [m.status for m in await memo_rows(world)] == ["draft"]
    again = await uc.edit(world.ctx, world.user(TREKKER), vm["form"])
    assert again["form"] == uc.MemoForm(await trajectory_id(world), vm["form"].memo_id)
    assert again["draft"]["title"] == DRAFT.title and again["draft"]["audience"] == "all"


async def test_a_form_pointing_at_another_trekkers_draft_is_refused(world):
    vm = await previewed(world)
    async with world.ctx.db.transaction() as s:
        collega = (await s.execute(select(Person).where(Person.email == COLLEGA))).scalar_one()
        collega.roles = ["trekker"]
    forged = uc.MemoForm(await trajectory_id(world), vm["form"].memo_id)
    with pytest.raises(Refused) as refused:
        await uc.preview(world.ctx, world.user(COLLEGA), forged, uc.Draft(title="Overgenomen", body="b", audience="all"))
    assert refused.value.key == "memo.errors.unknown"
    [memo] = await memo_rows(world)
    assert memo.title == DRAFT.title
    for unknown in (999_999, 2**31 - 1):
        with pytest.raises(Refused):
            await uc.preview(world.ctx, world.user(TREKKER), uc.MemoForm(unknown), DRAFT)


async def test_gelezen_is_the_recipients_own(world):
    vm = await previewed(world)
    await uc.send(world.ctx, world.user(TREKKER), vm["form"])
    async with world.ctx.db.sessionmaker() as s:
        reader = (await s.execute(select(Person).where(Person.email == READER))).scalar_one()
        recipient = (await s.execute(select(MemoRecipient).where(MemoRecipient.person_id == reader.id))).scalar_one()
    with pytest.raises(Refused) as refused:
        await uc.read(world.ctx, world.user(OTHER), str(recipient.id))
    assert refused.value.key == "memo.read_errors.not_yours"
    for raw in ("", "abc", "-1", "1" * 30, None):
        with pytest.raises(Refused) as refused:
            await uc.read(world.ctx, world.user(READER), raw)
        assert refused.value.key == "memo.read_errors.unknown"
    shown = await uc.read(world.ctx, world.user(READER), str(recipient.id))
    assert shown["read_at"] and shown["recipient_id"] == recipient.id
    assert (await uc.read(world.ctx, world.user(READER), recipient.id))["read_at"] == shown["read_at"], "pressed twice: once"
    overview = await uc.memo_overview(world.ctx, world.user(TREKKER), str(vm["form"].memo_id))
    assert overview["memos"][0]["read"] == 1
    with pytest.raises(Refused):
        await uc.memo_overview(world.ctx, world.user(READER), vm["form"].memo_id)


async def test_the_form_context_round_trips_and_refuses_the_old_hand_made_formats():
    for form in (uc.MemoForm(3), uc.MemoForm(3, 12), uc.PreviewForm(12)):
        assert decode(type(form), encode(form)) == form
    for forged in ('{"t": 3, "m": null}', "12", '{"v":1,"trajectory_id":"3"}', '{"v":1,"trajectory_id":-3}', "",
                   '{"v":1,"trajectory_id":1099511627776}'):  # beyond the INTEGER id columns
        with pytest.raises(BadContext):
            decode(uc.MemoForm, forged)
    for forged in ("12", '{"v":1}', '{"v":1,"memo_id":null}', '{"v":2,"memo_id":12}'):
        with pytest.raises(BadContext):
            decode(uc.PreviewForm, forged)
