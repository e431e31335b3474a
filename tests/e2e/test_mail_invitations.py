"""Invitations by e-mail: people the Slack workspace does not know get a mail (text,
HTML, a calendar invitation their mail client understands, and links to their pages);
the trekker's report says who is reached where."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import OutboxMessage, Person
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, AMB_THUISZORG, COLLEGA, TREKKER, dump, example_data, invitation_of, invitations_to, reply_text, session_row
from tests.mail.helpers import MAIL_FROM, PUBLIC, SECRET, calendar_of, event_of, html_of, links_of, mail_env, text_of, token_and_choice
from tests.mail.fixtures import *  # noqa: F401,F403  (smtp, public_url, extra_env)

ON_MAIL = [AMB_GGD, AMB_LINDE]


@pytest.fixture
def unknown_emails():
    return set(ON_MAIL)


async def test_invitation_mail_has_text_html_calendar_and_links(harness, smtp):
    h = harness
    await h.import_example()
    r = await h.command(TREKKER, "uitnodigen start")
    text = reply_text(h, r)
    assert "6 nieuw verstuurd" in text, text
    assert "4 via Slack, 2 per e-mail" in text, text
    await h.drain()

    for email in ON_MAIL:
        [mail] = smtp.to(email)
        assert invitations_to(h.emu, email) == [] if email not in h.users else True
        assert str(mail["Subject"]).startswith("Uitnodiging: Startbijeenkomst")
        assert str(mail["From"]) == MAIL_FROM
        assert str(mail["Reply-To"]) == TREKKER  # default: the trekker
        assert str(mail["Auto-Submitted"]) == "auto-generated"
        assert str(mail["Content-Language"]) == "nl"  # the language the mail starts in
        assert mail["Message-ID"] and mail["Date"]
        assert mail.get_content_type() == "multipart/mixed"
        assert [p.get_content_type() for p in mail.iter_parts()] == ["multipart/alternative", "text/calendar"]
        assert "Kom je?" in text_of(mail) and "Are you coming?" in text_of(mail)
        assert text_of(mail).index("Kom je?") < text_of(mail).index("Are you coming?")  # Dutch first
        assert '<html lang="nl">' in html_of(mail)
        # The calendar part: an iTIP REQUEST for this person.
        cal_part = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
        assert cal_part.get_param("method") == "REQUEST"
        assert cal_part.get_param("charset").upper() == "UTF-8"
        cal = calendar_of(mail)
        assert str(cal["METHOD"]) == "REQUEST"
        event = event_of(mail)
        assert str(event["ORGANIZER"]) == f"mailto:{TREKKER}"  # without IMAP: the trekker
        attendee = event["ATTENDEE"]
        assert str(attendee) == f"mailto:{email}"
        assert attendee.params["RSVP"] == "TRUE" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["CN"]
        assert int(event["SEQUENCE"]) == 0
        # Links: four answers and the page "Wat wacht er op mij", each a valid grant for this person.
        person = await _person(h, email)
        inv = await invitation_of(h, "start", email)
        grants = {}
        for url in links_of(mail):
            token, choice = token_and_choice(url)
            grant = h.ctx.links.read(token, h.clock.now())
            assert grant.person_id == person.id
            grants[choice or grant.purpose] = grant
        assert set(grants) == {"yes", "no", "maybe", "delegated", "mine"}
        assert {g.record_id for k, g in grants.items() if k != "mine"} == {inv.id}
        assert {g.purpose for k, g in grants.items() if k != "mine"} == {"rsvp"}
        assert grants["mine"].record_id is None
    # The Slack people got Slack messages, not mails.
    assert smtp.to(AMB_THUISZORG) == [] and smtp.to(COLLEGA) == []
    assert len(invitations_to(h.emu, h.uid(AMB_THUISZORG))) == 1
    async with h.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(OutboxMessage).where(OutboxMessage.key.like("invite:%")))).scalars().all()
    by_platform = sorted((r.platform, r.target) for r in rows if r.platform == "email")
    assert by_platform == sorted(("email", e) for e in ON_MAIL)
    assert all(r.op == "direct" for r in rows)


async def test_change_raises_sequence_and_cancel_sends_method_cancel(harness, smtp):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    [first] = smtp.to(AMB_GGD)
    uid = str(event_of(first)["UID"])
    data = example_data()
    spec = next(x for x in data["sessions"] if x["key"] == "start")
    spec["location"] = "Stadhuis, raadzaal"
    await h.import_example(text=dump(data))
    await h.drain()
    mails = smtp.to(AMB_GGD)
    assert len(mails) == 2, [m["Subject"] for m in mails]
    changed = mails[1]
    assert "Gewijzigd" in str(changed["Subject"])
    assert str(calendar_of(changed)["METHOD"]) == "REQUEST"
    assert str(event_of(changed)["UID"]) == uid
    assert int(event_of(changed)["SEQUENCE"]) == 1
    assert "Stadhuis, raadzaal" in str(event_of(changed)["LOCATION"])

    spec["cancelled"] = True
    await h.import_example(text=dump(data))
    await h.drain()
    mails = smtp.to(AMB_GGD)
    cancel = mails[-1]
    assert "Gaat niet door" in str(cancel["Subject"])
    cal_part = next(p for p in cancel.walk() if p.get_content_type() == "text/calendar")
    assert cal_part.get_param("method") == "CANCEL"
    assert str(calendar_of(cancel)["METHOD"]) == "CANCEL"
    event = event_of(cancel)
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["ATTENDEE"]) == f"mailto:{AMB_GGD}"
    assert (await session_row(h, "start")).cancelled


async def _person(h, email: str) -> Person:
    async with h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Person).where(Person.email == email))).scalars().first()
