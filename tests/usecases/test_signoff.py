"""The sign-off use cases, without a platform: who may start and decide, which rules,
what is recorded and who hears it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.interactions import signoff as uc
from bot.interactions.codec import BadContext, decode, encode
from bot.interactions.errors import Problems, Refused
from bot.limits import NOTE_LIMIT, TITLE_LIMIT
from bot.models import Organisation, SignOffEvent, SignOffRequest, Trajectory
from tests.conftest import local

TREKKER = "trekker@voorbeeldstad.example"
LINDE_BOARD = "bestuur@delinde.example"
LINDE_AMB = "ambassadeur@delinde.example"
GGD = "ambassadeur@ggd.example"


async def ids(world) -> tuple[int, dict[str, int]]:
    async with world.ctx.db.sessionmaker() as s:
        t = (await s.execute(select(Trajectory))).scalars().one()
        orgs = {o.name: o.id for o in (await s.execute(select(Organisation))).scalars()}
    return t.id, orgs


def good(orgs, **changes) -> uc.StartInput:
    values = {"title": "SOK hitte", "link": "https://example.org/sok", "deadline": "2027-03-01",
              "organisations": [str(orgs["Zorggroep De Linde"]), str(orgs["GGD Regio Voorbeeld"])]}
    return uc.StartInput(**(values | changes))


async def started(world) -> dict[str, int]:
    """Start a round for De Linde and the GGD; organisation name -> request id."""
    trajectory_id, orgs = await ids(world)
    await uc.start(world.ctx, world.user(TREKKER), uc.StartForm(trajectory_id), good(orgs))
    await world.drain()
    async with world.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(SignOffRequest))).scalars().all()
    names = {v: k for k, v in orgs.items()}
    return {names[r.organisation_id]: r.id for r in rows}


async def request(world, request_id: int) -> SignOffRequest:
    async with world.ctx.db.sessionmaker() as s:
        return await s.get(SignOffRequest, request_id)


async def test_only_a_trekker_starts_a_round(world):
    trajectory_id, orgs = await ids(world)
    with pytest.raises(Refused) as refused:
        await uc.start_form(world.ctx, world.user(LINDE_BOARD), trajectory_id)
    assert refused.value.key == "command.not_trekker"
    with pytest.raises(Refused):
        await uc.start(world.ctx, world.user(LINDE_BOARD), uc.StartForm(trajectory_id), good(orgs))
    vm = await uc.start_form(world.ctx, world.user(TREKKER), trajectory_id)
    assert vm["form"] == uc.StartForm(trajectory_id) and {o["name"] for o in vm["organisations"]} == set(orgs)
    async with world.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(SignOffRequest))).first() is None


@pytest.mark.parametrize("field, changes, key", [
    ("title", {"title": " "}, "signoff.errors.title"),
    ("title", {"title": "x" * (TITLE_LIMIT + 1)}, "signoff.errors.title_long"),
    ("link", {"link": "javascript:alert(1)"}, "signoff.errors.link"),
    ("organisations", {"organisations": []}, "signoff.errors.organisations"),
    ("organisations", {"organisations": ["999999"]}, "signoff.errors.organisations"),
    ("organisations", {"organisations": ["abc"]}, "signoff.errors.organisations"),
    ("deadline", {"deadline": "2020-01-01"}, "signoff.errors.deadline"),
    ("deadline", {"deadline": "morgen"}, "signoff.errors.deadline"),
])
async def test_each_start_rule(world, field, changes, key):
    trajectory_id, orgs = await ids(world)
    with pytest.raises(Problems) as problems:
        await uc.start(world.ctx, world.user(TREKKER), uc.StartForm(trajectory_id), good(orgs, **changes))
    assert {name: p.key for name, p in problems.value.fields.items()} == {field: key}


async def test_a_round_asks_the_signers_of_each_organisation(world):
    trajectory_id, orgs = await ids(world)
    done = await uc.start(world.ctx, world.user(TREKKER), uc.StartForm(trajectory_id), good(orgs))
    assert (done.title, done.organisations, done.sent) == ("SOK hitte", 2, 2)
    await world.drain()
    assert world.sent_to(LINDE_BOARD) == ["signoff_request"] and world.sent_to(GGD) == ["signoff_request"]
    assert world.sent_to(LINDE_AMB) == []  # De Linde has a bestuurder


async def test_agree_only_for_your_own_organisation(world):
    requests = await started(world)
    linde = requests["Zorggroep De Linde"]
    for outsider in (GGD, TREKKER):
        with pytest.raises(Refused) as refused:
            await uc.agree(world.ctx, world.user(outsider), linde)
        assert refused.value.key == "signoff.refused"
    assert (await request(world, linde)).decision == "pending"
    for raw in ("", "abc", "-1", "9" * 30):
        with pytest.raises(Refused) as refused:
            await uc.agree(world.ctx, world.user(LINDE_BOARD), raw)
        assert refused.value.key == "signoff.unknown"
    await uc.agree(world.ctx, world.user(LINDE_AMB), str(linde))  # an ambassador of De Linde may too
    assert (await request(world, linde)).decision == "agreed"
    await world.drain()
    assert world.sent_to(LINDE_BOARD)[-1] == "signoff_request" and world.chat.transcript[-1][0] == "update"


async def test_a_decline_needs_a_short_reason_and_reaches_the_trekker(world):
    requests = await started(world)
    linde = requests["Zorggroep De Linde"]
    shown = await uc.note_form(world.ctx, world.user(LINDE_BOARD), linde, "decline", "signoff_reminder")
    assert shown.form == uc.NoteForm(linde, "decline", "signoff_reminder") and shown.title == "SOK hitte"
    for note, key in (("  ", "signoff.errors.note"), ("x" * (NOTE_LIMIT + 1), "signoff.errors.note_long")):
        with pytest.raises(Problems) as problems:
            await uc.submit_note(world.ctx, world.user(LINDE_BOARD), shown.form, note)
        assert problems.value.fields["note"].key == key
    assert (await request(world, linde)).decision == "pending"
    await uc.submit_note(world.ctx, world.user(LINDE_BOARD), shown.form, " Budget ")
    row = await request(world, linde)
    assert (row.decision, row.reason) == ("declined", "Budget")
    await world.drain()
    assert "signoff_declined" in world.sent_to(TREKKER)


async def test_a_question_goes_to_the_trekker_and_changes_no_decision(world):
    requests = await started(world)
    ggd = requests["GGD Regio Voorbeeld"]
    shown = await uc.note_form(world.ctx, world.user(GGD), ggd, "question")
    await uc.submit_note(world.ctx, world.user(GGD), shown.form, "Geldt dit ook voor de regio?")
    assert (await request(world, ggd)).decision == "pending"
    async with world.ctx.db.sessionmaker() as s:
        [event] = (await s.execute(select(SignOffEvent))).scalars().all()
    assert (event.kind, event.note) == ("question", "Geldt dit ook voor de regio?")
    await world.drain()
    assert "signoff_question" in world.sent_to(TREKKER)


async def test_after_the_deadline_nothing_changes_but_the_request_can_be_shown(world, clock):
    requests = await started(world)
    linde = requests["Zorggroep De Linde"]
    form = (await uc.note_form(world.ctx, world.user(LINDE_BOARD), linde, "decline")).form
    clock.set(local(2027, 3, 2, 9, 0))
    for attempt in (uc.agree(world.ctx, world.user(LINDE_BOARD), linde),
                    uc.note_form(world.ctx, world.user(LINDE_BOARD), linde, "question"),
                    uc.submit_note(world.ctx, world.user(LINDE_BOARD), form, "Toch niet")):
        with pytest.raises(Refused) as refused:
            await attempt
        assert refused.value.key == "signoff.too_late"
    assert (await request(world, linde)).decision == "pending"
    vm = await uc.request_view(world.ctx, world.user(LINDE_BOARD), linde)
    assert vm["decision"] == "pending" and vm["organisation"] == "Zorggroep De Linde"
    with pytest.raises(Refused):
        await uc.request_view(world.ctx, world.user(GGD), linde)


@pytest.mark.parametrize("raw", ["12:decline", '{"v":1,"request_id":12,"kind":"agree"}', '{"v":1,"request_id":"12","kind":"decline"}',
                                 '{"v":1,"kind":"decline"}', '{"v":1,"request_id":12,"kind":"decline","card":7}'])
async def test_a_damaged_note_context_is_refused_by_the_codec(raw):
    with pytest.raises(BadContext):
        decode(uc.NoteForm, raw)


async def test_a_forged_note_context_for_another_organisation_is_refused(world):
    requests = await started(world)
    forged = decode(uc.NoteForm, encode(uc.NoteForm(requests["Zorggroep De Linde"], "decline")))
    with pytest.raises(Refused) as refused:
        await uc.submit_note(world.ctx, world.user(GGD), forged, "Niet namens jullie")
    assert refused.value.key == "signoff.refused"
    assert (await request(world, requests["Zorggroep De Linde"])).decision == "pending"
