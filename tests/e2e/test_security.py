"""Requests that are not from Slack, events delivered twice, and hostile text."""

from __future__ import annotations

import time

import aiohttp
from icalendar import Calendar
from sqlalchemy import select

from bot.models import Invitation, OutboxMessage, Organisation, Person, Session
from tests.conftest import local
from tests.e2e.conftest import (
    AMB_LINDE,
    PUBLIC,
    START_INVITEES,
    TREKKER,
    add_people,
    buttons_of,
    count,
    dump,
    example_data,
    full_text,
    invitation_of,
    invitations_to,
    messages_containing,
    mrkdwn_of,
    outbox_rows,
    outbox_snapshot,
    reply_text,
    session_spec,
    vevent,
    without_pacing,
)


async def test_a_forged_signature_gets_401_and_changes_nothing(harness):
    h = harness
    await h.import_example()
    for signature in ("v0=" + "0" * 64, "", h.drv.sign(b"another body", int(time.time()))):
        r = await h.drv.command(h.uid(TREKKER), "uitnodigen start", signature=signature)
        assert r.status == 401
    assert h.emu.responses() == []
    assert await count(h, OutboxMessage) == 0 and await count(h, Invitation) == 0
    assert await h.drain() == 0

    # A forged click on a real invitation.
    r = await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    [message] = invitations_to(h.emu, h.uid(AMB_LINDE))
    before = await outbox_snapshot(h)
    r = await h.drv.click(h.uid(AMB_LINDE), message, text="Ik kom", signature="v0=" + "f" * 64)
    assert r.status == 401
    assert await h.drain() == 0
    assert await outbox_snapshot(h) == before
    assert len(message.versions) == 1
    assert (await invitation_of(h, "start", AMB_LINDE)).status == "pending"
    # A forged event does not reach the listeners either.
    r = await h.drv.app_home_opened(h.uid(AMB_LINDE), signature="v0=" + "1" * 64)
    assert r.status == 401 and h.emu.calls_to("views.publish") == []


async def test_a_ten_minute_old_request_gets_401_and_changes_nothing(harness):
    h = harness
    await h.import_example()
    old = int(time.time()) - 600
    r = await h.drv.command(h.uid(TREKKER), "uitnodigen start", timestamp=old)
    assert r.status == 401
    assert h.emu.responses() == []
    assert await count(h, OutboxMessage) == 0
    assert await h.drain() == 0

    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    [message] = invitations_to(h.emu, h.uid(AMB_LINDE))
    r = await h.drv.click(h.uid(AMB_LINDE), message, text="Ik kan niet", timestamp=old)
    assert r.status == 401
    assert await h.drain() == 0
    assert (await invitation_of(h, "start", AMB_LINDE)).status == "pending"
    r = await h.drv.app_home_opened(h.uid(AMB_LINDE), timestamp=old)
    assert r.status == 401 and h.emu.calls_to("views.publish") == []
    # The same click, fresh and correctly signed, works: the refusals were about the request.
    r = await h.drv.click(h.uid(AMB_LINDE), message, text="Ik kan niet")
    assert r.status == 200
    await h.drain()
    assert (await invitation_of(h, "start", AMB_LINDE)).status == "no"


async def test_an_event_delivered_again_is_handled_once(harness):
    h = harness
    await h.import_example()
    uid = h.uid(AMB_LINDE)
    for retry in (None, 1, 2):
        r = await h.drv.app_home_opened(uid, event_id="Ev0HOME0001", retry_num=retry)
        assert r.status == 200
    assert len(h.emu.successful("views.publish")) == 1
    assert h.emu.home(uid) is not None
    # A new event is a new event.
    r = await h.drv.app_home_opened(uid, event_id="Ev0HOME0002")
    assert len(h.emu.successful("views.publish")) == 2

    # The same for a direct message to the bot: one answer.
    for retry in (None, 1):
        r = await h.drv.dm_message(uid, "hallo", event_id="Ev0DM00001", retry_num=retry)
        assert r.status == 200
    answers = [m for m in h.emu.dm(uid) if m.user == h.emu.bot_user_id]
    assert len(answers) == 1 and "Dialoogbot" in full_text(answers[0])


HOSTILE = """<!channel> & "Piet" 'Jan' <@U123> <!here> <#C999> <https://evil.example|klik hier> >"""
LIVE = ("<!channel>", "<!here>", "<@U123>", "<#C999>", "<https://evil.example")


def hostile_variant() -> tuple[str, dict[str, str]]:
    data = example_data()
    name = "Mevrouw " + HOSTILE + " " + "n" * 5000
    location = "Zaal " + HOSTILE + " " + "l" * 5000
    agenda = "Agenda " + HOSTILE + "\n" + ("Punt & <b>vet</b> " * 400).rstrip()
    title = 'Start <!channel> & "co"'
    organisation = "Zorggroep <!here> & De Linde"
    data["people"].append({"name": name, "email": "vijand@delinde.example", "organisation": "linde",
                           "roles": ["ambassadeur"]})
    next(o for o in data["organisations"] if o["key"] == "linde")["name"] = organisation
    session_spec(data, "start").update(location=location, agenda=agenda, title=title)
    return dump(data), {"name": name, "location": location, "agenda": agenda, "title": title,
                        "organisation": organisation}


def assert_inert(texts: list[str]) -> None:
    """No live mention or link anywhere in mrkdwn (or a message's fallback text)."""
    joined = "\n".join(texts)
    for live in LIVE:
        assert live not in joined, live


async def test_hostile_text_is_escaped_cut_to_limits_and_stored_intact(harness):
    h = harness
    without_pacing(h)
    text, hostile = hostile_variant()
    add_people(h, [("vijand@delinde.example", "vijand")])
    await h.import_example(text=text)
    enemy = h.uid("vijand@delinde.example")

    # The database keeps the text exactly as written.
    async with h.ctx.db.sessionmaker() as s:
        person = (await s.execute(select(Person).where(Person.email == "vijand@delinde.example"))).scalar_one()
        session = (await s.execute(select(Session).where(Session.key == "start"))).scalar_one()
        organisation = (await s.execute(select(Organisation).where(Organisation.key == "linde"))).scalar_one()
    assert person.name == hostile["name"] and len(person.name) > 5000
    assert session.location == hostile["location"] and session.agenda == hostile["agenda"]
    assert session.title == hostile["title"] and organisation.name == hostile["organisation"]

    r = await h.command(TREKKER, "uitnodigen start")
    assert "7 nieuw verstuurd" in reply_text(h, r)
    assert_inert(mrkdwn_of(h.emu.responses(r.response_url)[0]["blocks"]))
    await h.drain()
    # Every invitation was accepted by the emulator (it rejects invalid blocks and
    # over-long texts), so all of them were within Block Kit's limits.
    assert {row.status for row in await outbox_rows(h)} == {"sent"}
    assert h.emu.problems == []

    [message] = invitations_to(h.emu, enemy)
    shown = mrkdwn_of(message.blocks)
    assert_inert(shown + [message.text])
    everything = "\n".join(shown)
    assert "&lt;!channel&gt; &amp; \"Piet\" 'Jan' &lt;@U123&gt; &lt;!here&gt;" in everything
    assert "&lt;https://evil.example|klik hier&gt;" in everything
    assert "Hallo Mevrouw &lt;!channel&gt;" in everything
    assert "*Waar:* Zaal &lt;!channel&gt; &amp;" in everything
    assert "Agenda &lt;!channel&gt;" in everything and "Punt &amp; &lt;b&gt;vet&lt;/b&gt;" in everything
    assert "Zorggroep &lt;!here&gt; &amp; De Linde" in everything
    # However long the name and the place, the rest of the message survives the cutting.
    assert "je bent uitgenodigd voor een bijeenkomst van *Lokaal hitteplan Voorbeeldstad*" in everything
    assert "*Fase 2:* Dialogen voeren" in everything and "dinsdag 9 maart 2027, 14:00-16:30" in everything
    assert "&lt;!channel&gt; &amp; \"co\"" in message.text
    assert all(len(t) <= 3000 for t in shown)
    assert any(t.endswith("…") for t in shown)  # the long texts were cut, visibly
    for t in shown:  # never cut in the middle of an entity
        assert not t.rstrip("…").endswith(("&", "&a", "&am", "&amp", "&l", "&lt", "&g", "&gt"))
    for email in START_INVITEES:
        [other] = invitations_to(h.emu, h.uid(email))
        assert_inert(mrkdwn_of(other.blocks) + [other.text])

    # The colleague picker (plain text options, cut to 75) opens without complaint.
    [amb] = invitations_to(h.emu, h.uid(AMB_LINDE))
    r = await h.drv.click(h.uid(AMB_LINDE), amb, text="Ik stuur een collega")
    assert r.status == 200
    [modal] = h.emu.open_views(h.uid(AMB_LINDE))
    options = next(b["element"]["options"] for b in modal["blocks"] if b.get("type") == "input")
    assert any(o["text"]["text"].startswith("Mevrouw <!channel>") and len(o["text"]["text"]) <= 75 for o in options)
    assert_inert(mrkdwn_of(modal["blocks"]))

    # The trekker's overview lists the hostile name, escaped, within limits.
    r = await h.command(TREKKER, "status start")
    [body] = h.emu.responses(r.response_url)
    assert_inert(mrkdwn_of(body["blocks"]) + [body.get("text", "")])
    assert "Mevrouw &lt;!channel&gt;" in full_text(body)
    assert h.emu.problems == []

    # App Home and the reminders carry the same text safely.
    r = await h.drv.app_home_opened(enemy)
    assert r.status == 200 and h.emu.home(enemy) is not None
    assert_inert(mrkdwn_of(h.emu.home(enemy)["blocks"]))
    await h.drv.click(enemy, message, text="Ik kom")
    await h.drain()
    assert "*Je komt.*" in full_text(message)
    h.clock.set(local(2027, 3, 2, 14, 0))
    await h.tick()
    h.clock.set(local(2027, 3, 8, 10, 0))
    await h.tick()
    [attendee] = messages_containing(h.emu, enemy, "tot dinsdag 9 maart 2027")
    assert_inert(mrkdwn_of(attendee.blocks) + [attendee.text])
    assert "Zaal &lt;!channel&gt;" in full_text(attendee)
    assert "begint dinsdag 9 maart 2027, 14:00-16:30" in full_text(attendee)
    reminded = messages_containing(h.emu, h.uid(TREKKER), "we hebben nog geen antwoord")
    assert len(reminded) == 2  # 7 days and 2 days before
    for reminder in reminded:
        assert_inert(mrkdwn_of(reminder.blocks) + [reminder.text])
    assert {row.status for row in await outbox_rows(h) if row.key.startswith(("invite", "remind"))} <= {
        "sent", "superseded"}
    assert h.emu.problems == []

    # The calendar entry carries the text intact (iCalendar has its own escaping).
    link = next(b for b in buttons_of(message) if b.get("url"))
    base = h.drv.bot_url.rsplit("/slack/events", 1)[0]
    async with aiohttp.ClientSession() as http:
        async with http.get(base + link["url"][len(PUBLIC):]) as resp:
            assert resp.status == 200
            event = vevent(Calendar.from_ical(await resp.read()))
    assert str(event["LOCATION"]) == hostile["location"]
    assert str(event["SUMMARY"]) == hostile["title"]
