"""One trajectory across Slack and Teams: the invitees of one session are split over the
two platforms (``platform: teams`` in the trajectory file), each answers where they are,
and the overview counts everyone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import OutboxMessage, Person, Trajectory
from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    AMB_THUISZORG,
    AMB_WELZIJN,
    COLLEGA,
    TREKKER,
    dump,
    example_data,
    invitation_of,
    invitations_to,
)
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.harness import CHANNEL

ON_TEAMS = [TREKKER, COLLEGA, AMB_GGD, AMB_LINDE]
ON_SLACK = [AMB_THUISZORG, AMB_WELZIJN, "bestuur@delinde.example", "bestuur@thuiszorg.example"]


@pytest.fixture
def slack_emails():
    # Everyone has Slack; the file says who is to be reached in Teams.
    return set(ON_TEAMS + ON_SLACK)


def mixed_file(prefer_slack: tuple[str, ...] = ()) -> str:
    data = example_data()
    for person in data["people"]:
        if person["email"] in ON_TEAMS:
            person["platform"] = "teams"
        if person["email"] in prefer_slack:
            person["platform"] = "slack"
    return dump(data)


async def test_one_session_split_over_slack_and_teams(th):
    report = await th.import_example(text=mixed_file())
    assert report.created
    th.team_of(ON_TEAMS)
    r = await th.koppel(TREKKER)
    assert "4 mensen" in r.text, r.text
    async with th.ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalar_one()
    assert trajectory.status_channels == ["#hitteplan", f"teams:{CHANNEL}"]  # Slack and Teams

    r = await th.say(TREKKER, "uitnodigen start")
    assert "6 nieuw verstuurd" in r.text, r.text
    await th.drain()
    async with th.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(OutboxMessage, Person.email).join(Person, Person.id == OutboxMessage.person_id)
                                .where(OutboxMessage.key.like("invite:%")))).all()
    assert {email: row.platform for row, email in rows} == {
        TREKKER: "teams", COLLEGA: "teams", AMB_GGD: "teams", AMB_LINDE: "teams",
        AMB_THUISZORG: "slack", AMB_WELZIJN: "slack",
    }
    # Teams people have a card, Slack people a Slack message, nobody both.
    for email in ON_TEAMS:
        assert len(th.cards_with(email, "Uitnodiging: Startbijeenkomst")) == 1
        assert invitations_to(th.emu, th.uid(email)) == []
    for email in (AMB_THUISZORG, AMB_WELZIJN):
        assert len(invitations_to(th.emu, th.uid(email))) == 1
        assert th.chat_with(email) == []

    # Answers on both platforms.
    await th.teams.execute(th.tid(AMB_LINDE), th.cards_with(AMB_LINDE, "Uitnodiging:")[0], "Ik kom")
    await th.teams.submit(th.tid(AMB_GGD), th.cards_with(AMB_GGD, "Uitnodiging:")[0], "Misschien")
    [slack_invite] = invitations_to(th.emu, th.uid(AMB_THUISZORG))
    r = await th.drv.click(th.uid(AMB_THUISZORG), slack_invite, text="Ik kom")
    assert r.status == 200
    [slack_invite] = invitations_to(th.emu, th.uid(AMB_WELZIJN))
    await th.drv.click(th.uid(AMB_WELZIJN), slack_invite, text="Ik kan niet")
    await th.drain()
    assert (await invitation_of(th, "start", AMB_THUISZORG)).status == "yes"
    assert (await invitation_of(th, "start", AMB_LINDE)).status == "yes"

    # The overview counts everyone, whatever their platform.
    r = await th.say(TREKKER, "status start")
    assert "Komt: **2**" in r.text and "Misschien: **1**" in r.text and "Kan niet: **1**" in r.text
    assert "Nog geen antwoord: **2**" in r.text
    r = await th.say(TREKKER, "mijn")
    assert "2 komen, 1 misschien, 1 niet, 2 nog geen antwoord" in r.text

    # A reminder goes to each non-responder on their own platform.
    r = await th.say(TREKKER, "herinneren start")
    assert "gestuurd aan 2 mensen" in r.text
    await th.drain()
    assert len(th.cards_with(COLLEGA, "we hebben nog geen antwoord")) == 1
    assert len(th.cards_with(TREKKER, "we hebben nog geen antwoord")) == 1


async def test_a_slack_person_replaying_a_teams_card_is_refused(th):
    await th.import_example(text=mixed_file(prefer_slack=(AMB_THUISZORG,)))
    th.team_of(ON_TEAMS + [AMB_THUISZORG, AMB_WELZIJN])  # both in the team; Thuiszorg prefers Slack
    await th.koppel(TREKKER)
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    card = th.cards_with(AMB_LINDE, "Uitnodiging:")[0]
    r = await th.teams.execute(th.tid(AMB_THUISZORG), card, "Ik kan niet")
    assert "niet jouw uitnodiging" in r.message
    assert (await invitation_of(th, "start", AMB_LINDE)).status == "pending"
    # The preference in the file wins: Thuiszorg stays on Slack although Teams knows them now;
    # without a preference Teams is preferred when both are known (Welzijn).
    assert len(invitations_to(th.emu, th.uid(AMB_THUISZORG))) == 1
    assert th.chat_with(AMB_THUISZORG) == []
    assert invitations_to(th.emu, th.uid(AMB_WELZIJN)) == []
    assert len(th.cards_with(AMB_WELZIJN, "Uitnodiging:")) == 1
