"""Teams end to end: linking a team, invitations with RSVP buttons (Action.Execute and
the Action.Submit fallback), the colleague picker, reminders, calendar, authorisation."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from bot.models import OutboxMessage, Person, Trajectory
from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    AMB_THUISZORG,
    BESTUUR_LINDE,
    COLLEGA,
    START_INVITEES,
    TREKKER,
    invitation_of,
)
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.harness import CHANNEL, TEAM

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere

EVERYONE = START_INVITEES + [BESTUUR_LINDE, "bestuur@thuiszorg.example"]


async def linked(th, members=EVERYONE):
    await th.import_example()
    th.team_of(members)
    r = await th.koppel(TREKKER)
    assert r.status == 202, r.body
    return r


async def invited(th, members=EVERYONE):
    await linked(th, members)
    r = await th.say(TREKKER, "uitnodigen start")
    assert "6 nieuw verstuurd" in r.text, r.text
    await th.drain()
    return r


def invitation(th, email):
    cards = th.cards_with(email, "Uitnodiging: Startbijeenkomst")
    assert len(cards) == 1, [p.text for p in th.chat_with(email)]
    return cards[0]


# -- linking ------------------------------------------------------------------------------


async def test_koppel_links_the_channel_and_the_team_roster(th):
    r = await linked(th)
    assert "Dit kanaal hoort nu bij **Lokaal hitteplan Voorbeeldstad**" in r.text, r.text
    assert "8 mensen" in r.text
    assert r.replies[0].targeted  # only the trekker sees the answer in the channel
    async with th.ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalar_one()
        people = (await s.execute(select(Person).order_by(Person.id))).scalars().all()
    assert f"teams:{CHANNEL}" in trajectory.status_channels
    assert all(p.teams_user_id == th.tid(p.email) for p in people)
    assert all(p.teams_reference["serviceUrl"] == th.conn.url for p in people)
    # Again: nothing doubles.
    r = await th.koppel(TREKKER)
    assert "hoorde al bij" in r.text
    async with th.ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalar_one()
    assert trajectory.status_channels.count(f"teams:{CHANNEL}") == 1


async def test_a_linked_channel_survives_a_new_import_and_ontkoppel_removes_it(th):
    await linked(th)
    report = await th.import_example()  # the same file again
    async with th.ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalar_one()
    assert trajectory.status_channels == ["#hitteplan", f"teams:{CHANNEL}"]
    r = await th.koppel(AMB_GGD, words="ontkoppel")
    assert "alleen een trekker" in r.text
    r = await th.koppel(TREKKER, words="ontkoppel")
    assert "hoort niet meer bij" in r.text
    async with th.ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalar_one()
    assert trajectory.status_channels == ["#hitteplan"]
    assert report is not None


async def test_koppel_reports_who_cannot_be_reached(th):
    r = await linked(th, members=[p for p in EVERYONE if p != AMB_THUISZORG])
    assert "Niet bereikbaar in Slack of Teams: Ambassadeur Thuiszorg" in r.text, r.text
    r = await th.say(TREKKER, "uitnodigen start")
    assert "Niet bereikbaar" in r.text and "Ambassadeur Thuiszorg" in r.text


async def test_koppel_is_for_trekkers_and_only_in_a_channel(th):
    await th.import_example()
    th.team_of(EVERYONE)
    r = await th.koppel(AMB_GGD)
    assert "alleen een trekker" in r.text
    async with th.ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalar_one()
    assert not any(c.startswith("teams:") for c in trajectory.status_channels)
    r = await th.say(TREKKER, "koppel")  # the personal chat is not a channel
    assert "Typ **koppel** in een kanaal" in r.text


async def test_installing_the_app_personally_matches_by_email(th):
    await th.import_example()
    r = await th.teams.install(th.tid(COLLEGA))
    assert r.status == 202
    assert "Hallo Collega Gemeente" in r.text
    async with th.ctx.db.sessionmaker() as s:
        person = (await s.execute(select(Person).where(Person.email == COLLEGA))).scalar_one()
    assert person.teams_user_id == th.tid(COLLEGA)
    assert person.teams_reference["conversationId"] == th.conn.personal_conversation(th.tid(COLLEGA))
    # Someone the trajectory does not know gets a friendly word and nothing else.
    th.conn.add_user("29:stranger", "Vreemde", "vreemd@elders.example")
    r = await th.teams.install("29:stranger")
    assert "staat (nog) niet in een traject" in r.text


async def test_first_message_matches_a_person_who_did_not_install_through_the_team(th):
    await th.import_example()
    r = await th.say(AMB_GGD, "mijn")
    assert "Wat wacht er op jou" in r.text
    async with th.ctx.db.sessionmaker() as s:
        person = (await s.execute(select(Person).where(Person.email == AMB_GGD))).scalar_one()
    assert person.teams_user_id == th.tid(AMB_GGD)


async def test_team_install_explains_koppel(th):
    r = await th.teams.install_in_team(th.tid(TREKKER), TEAM)
    assert "koppel" in r.text and not r.replies[0].targeted


# -- invitations ------------------------------------------------------------------------------


async def test_invitations_arrive_as_cards_with_rsvp_buttons(th):
    await invited(th)
    creates = th.conn.calls_to("POST", "/v3/conversations")
    # A 1:1 conversation per invitee, except the trekker: they wrote in theirs already.
    assert sorted(c.body["members"][0]["id"] for c in creates) == sorted(th.tid(e) for e in START_INVITEES if e != TREKKER)
    card = invitation(th, AMB_LINDE)
    assert "Hallo Ambassadeur De Linde" in card.text and "dinsdag 9 maart 2027, 14:00-16:30" in card.text
    titles = [a["title"] for a in card.card["actions"]]
    assert titles == ["Ik kom", "Ik kan niet", "Misschien", "Ik stuur een collega", "In mijn agenda"]
    execute = card.card["actions"][0]
    assert execute["type"] == "Action.Execute" and execute["fallback"]["type"] == "Action.Submit"
    assert execute["fallback"]["data"]["verb"] == execute["verb"] == "rsvp"
    assert card.card["actions"][-1] == {"type": "Action.OpenUrl", "title": "In mijn agenda", "url": card.card["actions"][-1]["url"]}
    assert card.card["actions"][-1]["url"].startswith("https://dialoog.example/ics/")
    # Again: nothing new.
    r = await th.say(TREKKER, "uitnodigen start")
    assert "0 nieuw verstuurd, 6 hadden er al een" in r.text
    assert await th.drain() == 0


async def test_rsvp_with_action_execute_updates_the_card_in_place(th):
    await invited(th)
    card = invitation(th, AMB_LINDE)
    r = await th.teams.execute(th.tid(AMB_LINDE), card, "Ik kom")
    assert r.status == 200 and r.card is not None
    assert "**Je komt.**" in card.text  # the card Teams shows now
    assert [a.get("style") for a in card.card["actions"][:3]] == ["positive", None, None]
    assert (await invitation_of(th, "start", AMB_LINDE)).status == "yes"
    await th.drain()  # the outbox also updates the message (other devices)
    [put] = th.conn.calls_to("PUT")
    assert put.path.endswith(f"/activities/{card.activity_id}")
    assert "**Je komt.**" in card.text


async def test_rsvp_with_the_submit_fallback_updates_the_card_with_put(th):
    await invited(th)
    card = invitation(th, AMB_GGD)
    r = await th.teams.submit(th.tid(AMB_GGD), card, "Ik kan niet")
    assert r.status == 202
    assert (await invitation_of(th, "start", AMB_GGD)).status == "no"
    [put] = th.conn.calls_to("PUT")
    assert put.path.endswith(f"/activities/{card.activity_id}")
    assert "**Je kunt niet komen.**" in card.text


async def test_someone_elses_invitation_is_refused_and_unchanged(th):
    await invited(th)
    card = invitation(th, AMB_LINDE)
    r = await th.teams.execute(th.tid(AMB_GGD), card, "Ik kom")
    assert r.message == "Dit is niet jouw uitnodiging. Je kunt alleen je eigen uitnodiging beantwoorden."
    assert (await invitation_of(th, "start", AMB_LINDE)).status == "pending"
    r = await th.teams.submit(th.tid(AMB_GGD), card, "Ik stuur een collega")
    assert "niet jouw uitnodiging" in r.text and r.replies[0].targeted is False  # 1:1 chat: no targeting needed
    assert th.conn.calls_to("PUT") == []


async def test_send_a_colleague_with_the_picker_card(th):
    await invited(th)
    card = invitation(th, AMB_LINDE)
    r = await th.teams.execute(th.tid(AMB_LINDE), card, "Ik stuur een collega")
    form = card.card
    [picker] = [e for e in form["body"] if e.get("type") == "Input.ChoiceSet"]
    assert [c["title"] for c in picker["choices"]] == ["Bestuurder De Linde"]
    # Nothing chosen: a clear message, the form stays.
    r = await th.teams.execute(th.tid(AMB_LINDE), card, "Versturen", {})
    assert r.card is not None and "Kies een collega" in card.text and (await invitation_of(th, "start", AMB_LINDE)).status == "pending"
    await th.teams.execute(th.tid(AMB_LINDE), card, "Versturen", {"colleague": picker["choices"][0]["value"]})
    assert "Je stuurt Bestuurder De Linde" in card.text
    assert (await invitation_of(th, "start", AMB_LINDE)).status == "delegated"
    await th.drain()
    theirs = invitation(th, BESTUUR_LINDE)
    assert "Ambassadeur De Linde stuurt jou naar deze bijeenkomst" in theirs.text


async def test_the_picker_refuses_a_stranger_and_cancel_shows_the_invitation_again(th):
    await invited(th)
    card = invitation(th, AMB_LINDE)
    await th.teams.execute(th.tid(AMB_LINDE), card, "Ik stuur een collega")
    picker = card.card
    # Another person replays the form: refused, nothing changes.
    r = await th.teams.execute(th.tid(AMB_GGD), card, "Versturen", {"colleague": "1"}, card=picker)
    assert r.message and "niet jouw uitnodiging" in r.message
    # A colleague of another organisation: refused with the reason under the input.
    async with th.ctx.db.sessionmaker() as s:
        ggd = (await s.execute(select(Person).where(Person.email == AMB_GGD))).scalar_one()
    await th.teams.execute(th.tid(AMB_LINDE), card, "Versturen", {"colleague": str(ggd.id)})
    assert "Kies een collega van je eigen organisatie" in card.text
    await th.teams.execute(th.tid(AMB_LINDE), card, "Annuleren")
    assert "Uitnodiging: Startbijeenkomst" in card.text and "Kom je? Kies hieronder." in card.text
    assert (await invitation_of(th, "start", AMB_LINDE)).status == "pending"


async def test_status_and_reminders_for_the_trekker_only(th):
    await invited(th)
    await th.teams.execute(th.tid(AMB_LINDE), invitation(th, AMB_LINDE), "Ik kom")
    r = await th.koppel(TREKKER, words="status start")
    assert "Wie komt er naar Startbijeenkomst lokaal hitteplan?" in r.text
    assert "Komt: **1**" in r.text and r.replies[0].targeted
    r = await th.say(AMB_GGD, "status start")
    assert "dit mag alleen een trekker" in r.text
    r = await th.say(AMB_GGD, "herinneren start")
    assert "dit mag alleen een trekker" in r.text
    r = await th.say(TREKKER, "herinneren start")
    assert "Herinnering voor **Startbijeenkomst lokaal hitteplan** gestuurd aan 5 mensen" in r.text
    await th.drain()
    reminders = th.cards_with(AMB_GGD, "we hebben nog geen antwoord van je")
    assert len(reminders) == 1
    await th.teams.execute(th.tid(AMB_GGD), reminders[0], "Misschien")
    assert (await invitation_of(th, "start", AMB_GGD)).status == "maybe"
    assert th.cards_with(AMB_LINDE, "we hebben nog geen antwoord van je") == []


async def test_unknown_words_and_help(th):
    await linked(th)
    r = await th.say(AMB_GGD, "hallo")
    assert "Dat commando ken ik niet: **hallo**" in r.text
    r = await th.say(AMB_GGD, "help")
    assert "**uitnodigen \\<sessie\\>**" in r.text and "koppel" in r.text
    r = await th.say(AMB_GGD, "uitnodigen traject:bestaat-niet start")
    assert "Het traject **bestaat-niet** ken ik niet" in r.text


class TestWithoutPublicUrl:
    @pytest.fixture
    def public_url(self):
        return None  # calendar entries travel as files

    async def test_the_calendar_entry_is_an_attachment(self, th):
        await invited(th)
        files = [p for p in th.chat_with(COLLEGA) if p.attachments and p.attachments[0].get("contentType") == "text/calendar"]
        assert len(files) == 1
        attachment = files[0].attachments[0]
        assert attachment["name"].endswith(".ics")
        content = base64.b64decode(attachment["contentUrl"].split(",", 1)[1]).decode()
        assert "BEGIN:VCALENDAR" in content and "Startbijeenkomst lokaal hitteplan" in content
        card = invitation(th, COLLEGA)
        assert "Het agendabestand staat hieronder" in card.text
        assert "In mijn agenda" not in [a["title"] for a in card.card["actions"]]


async def test_outbox_rows_go_to_teams(th):
    await invited(th)
    async with th.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(OutboxMessage).where(OutboxMessage.key.like("invite:%")))).scalars().all()
    assert {r.platform for r in rows} == {"teams"} and all(r.status == "sent" for r in rows)
    assert all(r.ref_channel.startswith("a:personal-") for r in rows)


async def test_attendee_reminder_the_working_day_before(th):
    from tests.conftest import local

    await invited(th)
    await th.teams.execute(th.tid(AMB_LINDE), invitation(th, AMB_LINDE), "Ik kom")
    th.clock.set(local(2027, 3, 8, 9, 59))
    await th.tick()
    assert th.cards_with(AMB_LINDE, "Binnenkort:") == []
    th.clock.set(local(2027, 3, 8, 10, 0))
    await th.tick()
    [reminder] = th.cards_with(AMB_LINDE, "Binnenkort:")
    assert "tot dinsdag 9 maart 2027" in reminder.text and "Zorgcentrum De Linde, grote zaal" in reminder.text
    assert th.cards_with(AMB_GGD, "Binnenkort:") == []  # no answer: no attendee reminder
