"""The invitation use cases, without a platform: who may, which rules, what is recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.interactions import invitations as uc
from bot.interactions.codec import BadContext, decode, encode
from bot.interactions.errors import Problems, Refused
from bot.models import Invitation, Person, Session, Trajectory

TREKKER = "trekker@voorbeeldstad.example"
OWNER = "ambassadeur@delinde.example"
COLLEAGUE = "bestuur@delinde.example"
STRANGER = "ambassadeur@ggd.example"


async def trajectory_id(world) -> int:
    async with world.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Trajectory.id))).scalars().first()


async def invitation(world, email: str = OWNER) -> Invitation | None:
    async with world.ctx.db.sessionmaker() as s:
        return (
            await s.execute(
                select(Invitation).join(Person, Person.id == Invitation.person_id).join(Session)
                .where(Person.email == email, Session.key == "start")
            )
        ).scalar_one_or_none()


async def invited(world) -> Invitation:
    done = await uc.invite(world.ctx, world.user(TREKKER), await trajectory_id(world), "start")
    assert done.sent == 6 and done.already == 0 and done.send_at is None
    await world.drain()
    return await invitation(world)


async def test_only_a_trekker_invites_reminds_and_sees_the_status(world):
    tid = await trajectory_id(world)
    for use_case in (uc.invite, uc.remind, uc.status):
        with pytest.raises(Refused) as refused:
            await use_case(world.ctx, world.user(OWNER), tid, "start")
        assert refused.value.key == "command.not_trekker"
    assert await invitation(world) is None and world.chat.transcript == []


async def test_a_missing_or_unknown_session_lists_the_valid_ones(world):
    tid = await trajectory_id(world)
    with pytest.raises(Refused) as refused:
        await uc.invite(world.ctx, world.user(TREKKER), tid, None)
    assert refused.value.key == "command.missing_session" and "`start`" in refused.value.params["choices"]
    with pytest.raises(Refused) as refused:
        await uc.status(world.ctx, world.user(TREKKER), tid, "bestaat-niet")
    assert refused.value.key == "command.unknown_session"


async def test_a_past_session_gets_no_invitations(world, clock):
    from tests.conftest import local

    clock.set(local(2027, 3, 10, 9, 0))  # the day after the start session
    with pytest.raises(Refused) as refused:
        await uc.invite(world.ctx, world.user(TREKKER), await trajectory_id(world), "start")
    assert refused.value.key == "command.session_past"
    assert await invitation(world) is None


async def test_inviting_twice_sends_once_and_remind_and_status_count(world):
    await invited(world)
    again = await uc.invite(world.ctx, world.user(TREKKER), await trajectory_id(world), "start")
    assert (again.sent, again.already) == (0, 6)
    reminded = await uc.remind(world.ctx, world.user(TREKKER), await trajectory_id(world), "start")
    assert reminded.invited and reminded.sent == 6
    vm = await uc.status(world.ctx, world.user(TREKKER), await trajectory_id(world), "start")
    assert vm["counts"]["pending"] == 6


async def test_the_answer_is_recorded_and_the_invitation_revised(world):
    inv = await invited(world)
    world.chat.transcript.clear()
    done = await uc.answer(world.ctx, world.user(OWNER), str(inv.id), "yes")
    assert done.changed and (await invitation(world)).status == "yes"
    assert (await uc.answer(world.ctx, world.user(OWNER), inv.id, "yes")).changed is False
    await world.drain()
    assert [kind for kind, _, _ in world.chat.transcript] == ["update"]


async def test_a_stranger_is_refused_and_nothing_changes(world):
    inv = await invited(world)
    world.chat.transcript.clear()
    with pytest.raises(Refused) as refused:
        await uc.answer(world.ctx, world.user(STRANGER), inv.id, "no")
    assert refused.value.key == "rsvp.not_yours"
    with pytest.raises(Refused):
        await uc.picker(world.ctx, world.user(STRANGER), inv.id)
    with pytest.raises(Refused):
        await uc.delegate(world.ctx, world.user(STRANGER), uc.DelegateForm(inv.id), "1")
    assert (await invitation(world)).status == "pending"
    assert await world.drain() == 0 and world.chat.transcript == []


@pytest.mark.parametrize("raw", ["", "abc", "-1", "1" * 30, None, 2**70])
async def test_a_damaged_id_is_an_unknown_invitation(world, raw):
    with pytest.raises(Refused) as refused:
        await uc.answer(world.ctx, world.user(OWNER), raw, "yes")
    assert refused.value.key == "rsvp.unknown"


async def test_an_unknown_answer_is_refused(world):
    inv = await invited(world)
    with pytest.raises(Refused):
        await uc.answer(world.ctx, world.user(OWNER), inv.id, "delegated")
    assert (await invitation(world)).status == "pending"


async def test_the_picker_offers_colleagues_and_sends_one(world):
    inv = await invited(world)
    picker = await uc.picker(world.ctx, world.user(OWNER), inv.id, origin="forged", card="forged")
    assert picker.form == uc.DelegateForm(inv.id, "message", "invitation")
    assert [c.name for c in picker.colleagues] == ["Bestuurder De Linde"]
    with pytest.raises(Problems) as problems:
        await uc.delegate(world.ctx, world.user(OWNER), picker.form, None)
    assert problems.value.fields["colleague"].key == "invite.delegate_modal.placeholder"
    async with world.ctx.db.sessionmaker() as s:
        other = (await s.execute(select(Person).where(Person.email == STRANGER))).scalar_one()
    with pytest.raises(Problems) as problems:
        await uc.delegate(world.ctx, world.user(OWNER), picker.form, str(other.id))
    assert problems.value.fields["colleague"].key == "invite.delegate_errors.not_a_colleague"
    assert (await invitation(world)).status == "pending" and await invitation(world, COLLEAGUE) is None
    world.chat.transcript.clear()
    await uc.delegate(world.ctx, world.user(OWNER), picker.form, str(picker.colleagues[0].id))
    assert (await invitation(world)).status == "delegated"
    assert (await invitation(world, COLLEAGUE)).delegated_from_id == inv.person_id
    await world.drain()
    uid = world.users[COLLEAGUE]
    assert any(getattr(m, "template", None) == "invitation" for _, target, m in world.chat.transcript if uid in target)


@pytest.mark.parametrize(
    "raw",
    ['{"v":1}', '{"v":2,"invitation_id":1}', '{"v":1,"invitation_id":-1}', '{"v":1,"invitation_id":"1"}',
     '{"v":1,"invitation_id":1,"card":"other"}', '{"v":1,"invitation_id":1,"origin":"evil"}', "1", "", "[]"],
)
def test_a_forged_picker_context_is_rejected(raw):
    with pytest.raises(BadContext):
        decode(uc.DelegateForm, raw)


def test_the_picker_context_round_trips():
    form = uc.DelegateForm(12, "home", "rsvp_reminder")
    assert decode(uc.DelegateForm, encode(form)) == form


# -- a colleague who is not in the file yet (the web page's "Iemand anders") ------------


def notices(world) -> list:
    """What the trekker was told about new colleagues."""
    return [m for _, _, m in world.chat.transcript if getattr(m, "template", None) == "rsvp_new_colleague"]


async def test_a_new_colleague_joins_the_organisation_and_the_trekker_hears_it_on_both_platforms(world):
    from bot.slack.blocks import render as slack_render
    from bot.teams.cards import render as teams_render

    inv = await invited(world)
    await uc.delegate_new(world.ctx, world.user(OWNER), inv.id, "Nieuwe Collega", "Nieuw@DeLinde.example")
    await world.drain()
    async with world.ctx.db.sessionmaker() as s:
        new = (await s.execute(select(Person).where(Person.email == "nieuw@delinde.example"))).scalar_one()
    assert (new.name, new.roles, new.active) == ("Nieuwe Collega", ["deelnemer"], True)
    assert (await invitation(world)).status == "delegated" and (await invitation(world)).delegated_to_id == new.id
    [notice] = notices(world)
    assert notice.data["invited"] is False and notice.data["email"] == "nieuw@delinde.example"
    slack_text = slack_render(notice)["text"]
    assert "Nieuwe Collega" in slack_text and "Zorggroep De Linde" in slack_text
    assert "Nieuwe Collega" in str(teams_render(notice)["card"])
    assert notices(world)[0] is notice and len(notices(world)) == 1


async def test_a_new_colleague_needs_a_name_and_an_address_and_may_be_someone_known(world):
    inv = await invited(world)
    with pytest.raises(Problems) as problems:
        await uc.delegate_new(world.ctx, world.user(OWNER), inv.id, "  ", "geen adres")
    assert {n: p.key for n, p in problems.value.fields.items()} == {
        "colleague_name": "invite.new_colleague_errors.name",
        "colleague_email": "invite.new_colleague_errors.email",
    }
    with pytest.raises(Problems) as problems:  # someone of another organisation, by address
        await uc.delegate_new(world.ctx, world.user(OWNER), inv.id, "X", STRANGER)
    assert problems.value.fields["colleague_email"].key == "invite.delegate_errors.not_a_colleague"
    with pytest.raises(Refused):
        await uc.delegate_new(world.ctx, world.user(STRANGER), inv.id, "X", "x@delinde.example")
    # A known colleague, by address: chosen as from the picker (no notice to the trekker).
    await uc.delegate_new(world.ctx, world.user(OWNER), inv.id, "Wie dan ook", COLLEAGUE.upper())
    await world.drain()
    assert (await invitation(world, COLLEAGUE)).invited_at is not None
    assert notices(world) == []
