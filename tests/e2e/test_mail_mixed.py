"""One session across Slack, Teams and e-mail: each invitee is reached once, on their own
channel (``platform: email`` in the file, or by e-mail when neither Slack nor Teams knows
them), answers count the same wherever they were given, and the reports say who is
reached where."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.identity import email as email_user
from bot.interactions import invitations as invitations_uc
from bot.models import OutboxMessage, Person
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, AMB_THUISZORG, AMB_WELZIJN, COLLEGA, TREKKER, dump, example_data, invitation_of, invitations_to
from tests.mail.helpers import PUBLIC, mail_env
from tests.mail.fixtures import *  # noqa: F401,F403  (smtp, public_url, extra_env)
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)

ON_TEAMS = [TREKKER, COLLEGA]
ON_SLACK = [AMB_THUISZORG, AMB_WELZIJN]
ON_MAIL = [AMB_GGD, AMB_LINDE]  # GGD: platform: email although Slack knows them; De Linde: nowhere else


@pytest.fixture
def slack_emails():
    return set(ON_SLACK + [AMB_GGD])


def mixed_file() -> str:
    data = example_data()
    for person in data["people"]:
        if person["email"] in ON_TEAMS:
            person["platform"] = "teams"
        if person["email"] == AMB_GGD:
            person["platform"] = "email"
    return dump(data)


async def test_one_session_over_slack_teams_and_email(th, smtp):
    report = await th.import_example(text=mixed_file())
    assert report.reached["email"] >= 2
    th.team_of(ON_TEAMS)
    await th.koppel(TREKKER)
    r = await th.say(TREKKER, "uitnodigen start")
    assert "6 nieuw verstuurd" in r.text, r.text
    assert "2 via Slack, 2 via Teams, 2 per e-mail" in r.text, r.text
    await th.drain()

    async with th.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(OutboxMessage, Person.email).join(Person, Person.id == OutboxMessage.person_id)
                                .where(OutboxMessage.key.like("invite:%")))).all()
    assert {email: row.platform for row, email in rows} == {
        TREKKER: "teams", COLLEGA: "teams", AMB_THUISZORG: "slack", AMB_WELZIJN: "slack", AMB_GGD: "email", AMB_LINDE: "email",
    }
    for email in ON_TEAMS:
        assert len(th.cards_with(email, "Uitnodiging: Startbijeenkomst")) == 1
        assert smtp.to(email) == []
    for email in ON_SLACK:
        assert len(invitations_to(th.emu, th.uid(email))) == 1
        assert th.chat_with(email) == [] and smtp.to(email) == []
    for email in ON_MAIL:
        assert len(smtp.to(email)) == 1
        assert th.chat_with(email) == []
    assert invitations_to(th.emu, th.uid(AMB_GGD)) == []  # the file's platform: email wins over Slack

    # Answers on all three channels (by e-mail: as the RSVP page does, acting as the e-mail user).
    [slack_invite] = invitations_to(th.emu, th.uid(AMB_THUISZORG))
    await th.drv.click(th.uid(AMB_THUISZORG), slack_invite, text="Ik kom")
    await th.teams.execute(th.tid(COLLEGA), th.cards_with(COLLEGA, "Uitnodiging:")[0], "Ik kan niet")
    for email, answer in ((AMB_LINDE, "yes"), (AMB_GGD, "maybe")):
        inv = await invitation_of(th, "start", email)
        await invitations_uc.answer(th.ctx, email_user(email), inv.id, answer)
    await th.drain()
    r = await th.say(TREKKER, "status start")
    assert "Komt: **2**" in r.text and "Misschien: **1**" in r.text and "Kan niet: **1**" in r.text, r.text
    assert "Nog geen antwoord: **2**" in r.text

    # A reminder to those who did not answer, each on their own channel; nobody twice.
    r = await th.say(TREKKER, "herinneren start")
    assert "gestuurd aan 2 mensen" in r.text, r.text
    await th.drain()
    assert len(th.cards_with(TREKKER, "we hebben nog geen antwoord")) == 1
    assert len(smtp.to(AMB_LINDE)) == 1 and len(smtp.to(AMB_GGD)) == 1  # they answered: no reminder mail
