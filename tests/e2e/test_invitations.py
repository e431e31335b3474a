"""`/dialoog uitnodigen`: who gets what, who may do it, and the answers to mistakes."""

from __future__ import annotations

import aiohttp
import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.models import Invitation, OutboxMessage
from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    AMB_THUISZORG,
    AMB_WELZIJN,
    BESTUUR_LINDE,
    BESTUUR_THUISZORG,
    BUTTONS,
    COLLEGA,
    HITTEPLAN,
    PUBLIC,
    START_INVITEES,
    TREKKER,
    TREKKER_NEERSLAG,
    add_people,
    bot_messages,
    button_labels,
    buttons_of,
    count,
    dump,
    files_in_dm,
    full_text,
    header_of,
    invitations_to,
    mrkdwn_of,
    outbox_snapshot,
    reply_text,
    session_row,
    vevent,
)

ORGANISATIONS = [
    "Gemeente Voorbeeldstad",
    "GGD Regio Voorbeeld",
    "Zorggroep De Linde",
    "Thuiszorg Aan Huis",
    "Stichting Welzijn Voorbeeldstad",
]
NAMES = {
    TREKKER: "Trekker Gemeente",
    COLLEGA: "Collega Gemeente",
    AMB_GGD: "Ambassadeur GGD",
    AMB_LINDE: "Ambassadeur De Linde",
    AMB_THUISZORG: "Ambassadeur Thuiszorg",
    AMB_WELZIJN: "Ambassadeur Welzijn",
}


async def test_every_invitee_gets_a_personal_invitation(harness):
    h = harness
    await h.import_example()

    r = await h.command(TREKKER, "uitnodigen start")
    answer = reply_text(h, r)
    assert "Startbijeenkomst lokaal hitteplan" in answer
    assert "6 nieuw verstuurd, 0 hadden er al een" in answer
    assert "Niet bereikbaar" not in answer
    # The command only wrote the outbox; the dispatcher sends.
    assert await h.drain() > 0

    session = await session_row(h, "start")
    for email in START_INVITEES:
        invitations = invitations_to(h.emu, h.uid(email))
        assert len(invitations) == 1, email
        message = invitations[0]
        text = full_text(message)
        assert header_of(message) == "Uitnodiging: Startbijeenkomst lokaal hitteplan"
        assert message.text == "Uitnodiging: Startbijeenkomst lokaal hitteplan, dinsdag 9 maart 2027, 14:00-16:30"
        assert f"Hallo {NAMES[email]}," in text
        assert "Lokaal hitteplan Voorbeeldstad" in text
        assert "*Wanneer:* dinsdag 9 maart 2027, 14:00-16:30" in text
        assert "*Waar:* Zorgcentrum De Linde, grote zaal" in text
        assert "*Fase 2:* Dialogen voeren" in text
        assert "*Uitgenodigde organisaties:* " + ", ".join(ORGANISATIONS) in text
        assert "Presentatie van een ervaringsdeskundige over de gevolgen van hitte." in text
        assert "locaties van zorginstellingen." in text
        assert "Kom je? Kies hieronder." in text
        assert button_labels(message) == BUTTONS + ["In mijn agenda"]
        link = buttons_of(message)[-1]
        assert link["url"] == f"{PUBLIC}/ics/{session.ics_token}.ics"
        # All four answer buttons point at this person's own invitation.
        invitation = {b["value"] for b in buttons_of(message)[:4]}
        assert len(invitation) == 1

    # Bestuurders are not invited to the start meeting.
    for email in (BESTUUR_LINDE, BESTUUR_THUISZORG):
        assert bot_messages(h.emu, h.uid(email)) == []
    async with h.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(Invitation).where(Invitation.session_id == session.id))).scalars().all()
    assert len(rows) == 6
    assert {r.status for r in rows} == {"pending"} and all(r.invited_at for r in rows)
    assert h.emu.problems == []


async def test_a_session_for_many_organisations_names_fifteen_and_counts_the_rest(harness):
    """25 organisations invited: the invitation names the first 15 and says "en nog 10";
    the stored message carries those 15 names, not every one."""
    from tests.e2e.test_summary import invite_many_organisations

    h = harness
    await invite_many_organisations(h, 25)
    [message] = invitations_to(h.emu, "UMANY03")
    names = ", ".join(f"Organisatie {n} met een lange naam" for n in range(15))
    assert f"*Uitgenodigde organisaties:* {names}, en nog 10\n" in full_text(message)
    async with h.ctx.db.sessionmaker() as s:
        row = (await s.execute(select(OutboxMessage).where(OutboxMessage.key.like("invite:%")).limit(1))).scalar_one()
    assert len(row.data["organisations"]) == 15 and row.data["organisations_more"] == 10
    r = await h.command(TREKKER, "status start")  # the trekker's overview still names every organisation nobody comes from
    assert "Organisatie 24 met een lange naam" in reply_text(h, r)


async def test_inviting_twice_sends_nothing_new(harness):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    before = await outbox_snapshot(h)
    posts = len(h.emu.calls_to("chat.postMessage"))

    r = await h.command(TREKKER, "uitnodigen start")
    assert "0 nieuw verstuurd, 6 hadden er al een" in reply_text(h, r)
    assert await h.drain() == 0
    assert await outbox_snapshot(h) == before
    assert len(h.emu.calls_to("chat.postMessage")) == posts
    for email in START_INVITEES:
        assert len(invitations_to(h.emu, h.uid(email))) == 1


async def test_english_alias_invite(harness):
    h = harness
    await h.import_example()
    r = await h.command(TREKKER, "invite bestuurlijk")
    assert "3 nieuw verstuurd" in reply_text(h, r)
    await h.drain()
    for email in (TREKKER, BESTUUR_LINDE, BESTUUR_THUISZORG):
        [message] = invitations_to(h.emu, h.uid(email))
        assert header_of(message) == "Uitnodiging: Bestuurlijke bijeenkomst hitteplan"
        assert "dinsdag 13 april 2027, 10:00-11:30" in full_text(message)
        assert "Stadhuis Voorbeeldstad" in full_text(message)
    assert invitations_to(h.emu, h.uid(AMB_LINDE)) == []


async def test_a_non_trekker_is_refused_and_nothing_happens(harness):
    h = harness
    await h.import_example()
    await h.import_example("neerslag.yaml")
    add_people(h, [("buitenstaander@elders.example", "Buitenstaander")])

    r = await h.command(AMB_LINDE, "uitnodigen start")
    assert "alleen een trekker van *Lokaal hitteplan Voorbeeldstad*" in reply_text(h, r)
    assert "Er is niets gebeurd" in reply_text(h, r)
    # The trekker of another trajectory may not invite for this one either.
    r = await h.command(TREKKER_NEERSLAG, "uitnodigen start traject:hitteplan-voorbeeldstad")
    assert "alleen een trekker" in reply_text(h, r)
    # Someone in no trajectory at all.
    r = await h.command("buitenstaander@elders.example", "uitnodigen start")
    assert "geen enkel traject" in reply_text(h, r)

    assert await h.drain() == 0
    assert await count(h, OutboxMessage) == 0
    assert await count(h, Invitation) == 0
    assert h.emu.calls_to("chat.postMessage") == []
    # The refusals were private: nothing was posted in a channel.
    assert all(b.get("response_type") != "in_channel" for b in h.emu.responses())


async def test_unknown_and_missing_session_list_the_valid_ones(harness):
    h = harness
    await h.import_example()

    r = await h.command(TREKKER, "uitnodigen startbijeenkomst")
    text = reply_text(h, r)
    assert "De sessie `startbijeenkomst` ken ik niet" in text
    assert "`start`, `bestuurlijk`, `doelen`" in text

    r = await h.command(TREKKER, "uitnodigen")
    text = reply_text(h, r)
    assert "Welke sessie bedoel je?" in text
    assert "`start`, `bestuurlijk`, `doelen`" in text

    r = await h.command(TREKKER, "herinneren bestaatniet")
    assert "`start`, `bestuurlijk`, `doelen`" in reply_text(h, r)

    assert await count(h, OutboxMessage) == 0
    assert await h.drain() == 0


async def test_unknown_subcommand_lists_the_valid_ones(harness):
    h = harness
    await h.import_example()
    r = await h.command(TREKKER, "uitnodign start")
    text = reply_text(h, r)
    assert "Dat commando ken ik niet: `uitnodign`" in text
    for word in ("help", "uitnodigen", "herinneren", "status"):
        assert f"`{word}`" in text
    assert await count(h, OutboxMessage) == 0


async def test_help_explains_the_commands_in_dutch(harness):
    h = harness
    await h.import_example()
    for text in ("help", "", "hulp"):
        r = await h.command(AMB_LINDE, text)
        [body] = h.emu.responses(r.response_url)
        shown = "\n".join(mrkdwn_of(body["blocks"]))
        assert "/dialoog uitnodigen" in shown and "/dialoog herinneren" in shown and "/dialoog status" in shown
        assert "traject:" in shown
        # "<sessie>" is not a Slack link or mention: it must be shown escaped.
        assert "&lt;sessie&gt;" in shown
        assert "<sessie>" not in shown and "<naam>" not in shown
    r = await h.command(TREKKER, "uitnodigen")
    assert "<sessie>" not in "\n".join(mrkdwn_of(h.emu.responses(r.response_url)[0]["blocks"]))


def second_trajectory() -> str:
    """A small trajectory in which the hitteplan trekker also leads (same e-mail)."""
    data = {
        "version": 1,
        "trajectory": {"key": "tweede-traject", "title": "Tweede traject", "timezone": "Europe/Amsterdam"},
        "organisations": [{"key": "gemeente", "name": "Gemeente Voorbeeldstad"},
                          {"key": "buren", "name": "Buurgemeente"}],
        "people": [
            {"name": "Trekker Gemeente", "email": TREKKER, "organisation": "gemeente", "roles": ["trekker"]},
            {"name": "Buur Een", "email": "een@buren.example", "organisation": "buren", "roles": ["deelnemer"]},
            {"name": "Buur Twee", "email": "twee@buren.example", "organisation": "buren", "roles": ["deelnemer"]},
        ],
        "sessions": [{"key": "start", "title": "Start tweede traject", "phase": 1,
                      "starts": "2027-03-16 10:00", "ends": "2027-03-16 12:00",
                      "location": "Buurhuis", "invite": {"roles": ["trekker", "deelnemer"]}}],
    }
    return dump(data)


async def test_traject_word_anywhere_and_the_question_which_one(harness):
    h = harness
    add_people(h, [("een@buren.example", "Buur Een"), ("twee@buren.example", "Buur Twee")])
    await h.import_example()
    await h.import_example(text=second_trajectory())

    # Two trajectories and no traject: -> the bot asks which one, and does nothing.
    r = await h.command(TREKKER, "uitnodigen start")
    text = reply_text(h, r)
    assert "Je werkt aan meer trajecten" in text
    assert f"`{HITTEPLAN}`" in text and "`tweede-traject`" in text
    assert await count(h, OutboxMessage) == 0

    # An unknown trajectory is named as such.
    r = await h.command(TREKKER, "traject:bestaat-niet uitnodigen start")
    assert "Het traject `bestaat-niet` ken ik niet" in reply_text(h, r)

    # traject: at the start, in the middle and at the end of the text.
    r = await h.command(TREKKER, "traject:tweede-traject uitnodigen start")
    assert "Start tweede traject" in reply_text(h, r) and "3 nieuw verstuurd" in reply_text(h, r)
    r = await h.command(TREKKER, f"uitnodigen traject:{HITTEPLAN} start")
    assert "Startbijeenkomst lokaal hitteplan" in reply_text(h, r) and "6 nieuw verstuurd" in reply_text(h, r)
    r = await h.command(TREKKER, f"status start traject:{HITTEPLAN}")
    assert "Wie komt er naar Startbijeenkomst lokaal hitteplan?" in reply_text(h, r)
    await h.drain()

    titles = sorted(header_of(m) for m in invitations_to(h.emu, h.uid(TREKKER)))
    assert titles == ["Uitnodiging: Start tweede traject", "Uitnodiging: Startbijeenkomst lokaal hitteplan"]
    assert [header_of(m) for m in invitations_to(h.emu, h.uid("een@buren.example"))] == [
        "Uitnodiging: Start tweede traject"]
    assert [header_of(m) for m in invitations_to(h.emu, h.uid(AMB_LINDE))] == [
        "Uitnodiging: Startbijeenkomst lokaal hitteplan"]


async def test_the_trajectory_follows_from_its_status_channel(harness):
    h = harness
    add_people(h, [("een@buren.example", "Buur Een"), ("twee@buren.example", "Buur Twee")])
    h.emu.add_channel("C0HITTE", "hitteplan")
    await h.import_example()
    await h.import_example(text=second_trajectory())
    r = await h.drv.command(h.uid(TREKKER), "status start", channel_id="C0HITTE")
    assert r.status == 200
    assert "Wie komt er naar Startbijeenkomst lokaal hitteplan?" in reply_text(h, r)


async def test_calendar_link_serves_a_valid_calendar(harness):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    # With PUBLIC_URL nothing is uploaded: the invitation links to the bot's own server.
    assert h.emu.calls_to("files.getUploadURLExternal") == []
    [message] = invitations_to(h.emu, h.uid(AMB_LINDE))
    link = next(b for b in buttons_of(message) if b["text"]["text"] == "In mijn agenda")
    assert link["url"].startswith(f"{PUBLIC}/ics/") and link["url"].endswith(".ics")
    assert "Zet de bijeenkomst in je agenda" in full_text(message)

    base = h.drv.bot_url.rsplit("/slack/events", 1)[0]
    path = link["url"][len(PUBLIC):]
    async with aiohttp.ClientSession() as http:
        async with http.get(base + path) as resp:
            assert resp.status == 200
            assert resp.content_type == "text/calendar"
            first = await resp.read()
        async with http.get(base + path) as resp:
            second = await resp.read()
        async with http.get(base + "/ics/not-a-token.ics") as resp:
            assert resp.status == 404

    cal = Calendar.from_ical(first)
    assert str(cal["VERSION"]) == "2.0" and cal.get("PRODID")
    event = vevent(cal)
    assert str(event["UID"]) == f"{HITTEPLAN}.start@dialoogbot"
    assert str(vevent(Calendar.from_ical(second))["UID"]) == str(event["UID"])
    assert int(event["SEQUENCE"]) == 0
    assert str(event["SUMMARY"]) == "Startbijeenkomst lokaal hitteplan"
    assert str(event["LOCATION"]) == "Zorgcentrum De Linde, grote zaal"
    start = event["DTSTART"]
    assert start.params["TZID"] == "Europe/Amsterdam"
    assert start.dt.strftime("%Y-%m-%d %H:%M") == "2027-03-09 14:00"
    assert event["DTEND"].dt.strftime("%H:%M") == "16:30"
    zones = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    assert zones == ["Europe/Amsterdam"]
    assert b"\r\n" in first

    # The link button is only a link: clicking it changes nothing.
    r = await h.drv.click(h.uid(AMB_LINDE), message, text="In mijn agenda")
    assert r.status == 200
    assert await h.drain() == 0
    assert len(message.versions) == 1


class TestCalendarFile:
    @pytest.fixture
    def public_url(self):
        return None

    async def test_without_public_url_the_calendar_arrives_as_a_file(self, harness):
        h = harness
        await h.import_example()
        r = await h.command(TREKKER, "uitnodigen bestuurlijk")
        assert "3 nieuw verstuurd" in reply_text(h, r)
        await h.drain()

        invitees = (TREKKER, BESTUUR_LINDE, BESTUUR_THUISZORG)
        # Files upload v2: three steps per file, all recorded by the emulator.
        assert len(h.emu.successful("files.getUploadURLExternal")) == 3
        assert len([c for c in h.emu.calls_to("(upload)") if c.status == 200]) == 3
        assert len(h.emu.successful("files.completeUploadExternal")) == 3
        assert h.emu.problems == []  # e.g. no length mismatch
        for email in invitees:
            uid = h.uid(email)
            [invitation] = invitations_to(h.emu, uid)
            assert "In mijn agenda" not in button_labels(invitation)
            assert "Het agendabestand staat hieronder" in full_text(invitation)
            [file] = files_in_dm(h.emu, uid)
            assert file["filename"] == "bestuurlijke-bijeenkomst-hitteplan.ics"
            assert file["length"] == len(file["bytes"])
            # "hieronder": the file comes after the invitation.
            file_message = next(m for m in bot_messages(h.emu, uid) if file["id"] in m.files)
            assert float(file_message.ts) > float(invitation.ts)
            cal = Calendar.from_ical(file["bytes"])
            event = vevent(cal)
            assert str(cal["METHOD"]) == "REQUEST"
            assert str(event["UID"]) == f"{HITTEPLAN}.bestuurlijk@dialoogbot"
            assert int(event["SEQUENCE"]) == 0
            assert str(event["STATUS"]) == "CONFIRMED"
            assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
            assert event["DTSTART"].dt.strftime("%Y-%m-%d %H:%M") == "2027-04-13 10:00"
            assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
            assert "mailto:trekker@voorbeeldstad.example" in str(event["ORGANIZER"])
        completes = h.emu.successful("files.completeUploadExternal")
        assert {c.args.get("channel_id") for c in completes} == {h.emu.dm_channel_id(h.uid(e)) for e in invitees}
        assert files_in_dm(h.emu, h.uid(AMB_LINDE)) == []
