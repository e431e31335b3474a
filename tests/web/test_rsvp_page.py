"""The invitation page: answer, send a colleague (one in the file, or a new one), and
the trekker's status counts it; the page's headers and the Dutch/English texts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Invitation, OutboxMessage, Person
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, BESTUUR_LINDE, TREKKER, bot_messages, full_text, invitation_of, reply_text
from tests.web.conftest import text_of

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere


async def invited(site) -> None:
    await site.h.command(TREKKER, "uitnodigen start")
    await site.h.drain()


async def status_text(site) -> str:
    return reply_text(site.h, await site.h.command(TREKKER, "status start"))


async def test_answer_on_the_page_counts_in_the_trekkers_status(site):
    await invited(site)
    page = await site.link(AMB_GGD, "rsvp", await site.invitation(AMB_GGD))
    shown = await site.get(page)
    assert shown.status == 200
    text = text_of(shown.text)
    assert "Uitnodiging: Startbijeenkomst lokaal hitteplan" in text
    assert "dinsdag 9 maart 2027, 14:00-16:30" in text and "Zorgcentrum De Linde, grote zaal" in text
    assert "Je hebt nog niet geantwoord." in text
    assert '<html lang="nl">' in shown.text

    done = await site.submit(page, {"answer": "yes"})
    assert done.status == 200 and "Je antwoord is opgeslagen: je komt." in text_of(done.text)
    assert (await invitation_of(site.h, "start", AMB_GGD)).status == "yes"
    assert "Komt: *1*" in await status_text(site)
    # The chat message shows the answer too (updated in place, like a button press).
    await site.h.drain()
    assert "Je komt." in full_text(bot_messages(site.h.emu, site.h.uid(AMB_GGD))[0])
    # The page shows the new answer; answering again records nothing new.
    assert "Je antwoord nu: je komt." in text_of((await site.get(page)).text)
    before = await site.dump()
    await site.submit(page, {"answer": "yes"})
    assert await site.dump() == before


async def test_every_answer_and_the_missing_one(site):
    await invited(site)
    page = await site.link(AMB_GGD, "rsvp", await site.invitation(AMB_GGD))
    for answer in ("no", "maybe"):
        await site.submit(page, {"answer": answer})
        assert (await invitation_of(site.h, "start", AMB_GGD)).status == answer
    before = await site.dump()
    nothing = await site.post(page, {})
    assert nothing.status == 400
    assert "Kies een van de mogelijkheden." in text_of(nothing.text)
    assert 'aria-describedby="fout-answer"' in nothing.text
    forged_answer = await site.post(page, {"answer": "ja-hoor"})
    assert forged_answer.status == 400
    assert await site.dump() == before


async def test_sending_a_colleague_from_the_list(site):
    await invited(site)
    page = await site.link(AMB_LINDE, "rsvp", await site.invitation(AMB_LINDE))
    shown = await site.get(page)
    assert "Bestuurder De Linde" in shown.text  # the colleague list: the same organisation
    board = await site.person(BESTUUR_LINDE)
    done = await site.submit(page, {"answer": "delegated", "colleague": str(board.id)})
    assert "Je collega krijgt de uitnodiging." in text_of(done.text)
    assert (await invitation_of(site.h, "start", AMB_LINDE)).status == "delegated"
    assert (await invitation_of(site.h, "start", BESTUUR_LINDE)).invited_at is not None
    assert "Een collega gestuurd: 1" in await status_text(site)


async def test_a_colleague_of_another_organisation_is_a_field_error(site):
    await invited(site)
    page = await site.link(AMB_LINDE, "rsvp", await site.invitation(AMB_LINDE))
    ggd = await site.person(AMB_GGD)
    before = await site.dump()
    wrong = await site.post(page, {"answer": "delegated", "colleague": str(ggd.id)})
    assert wrong.status == 400 and "Kies een collega van je eigen organisatie." in text_of(wrong.text)
    nobody = await site.post(page, {"answer": "delegated"})
    assert nobody.status == 400 and "Kies een collega" in text_of(nobody.text)
    same_mail = await site.post(page, {"answer": "delegated", "colleague": "new", "colleague_name": "X", "colleague_email": AMB_GGD})
    assert same_mail.status == 400 and "Kies een collega van je eigen organisatie." in text_of(same_mail.text)
    assert await site.dump() == before


async def test_a_new_colleague_joins_the_organisation_and_the_trekker_is_told(site):
    await invited(site)
    page = await site.link(AMB_LINDE, "rsvp", await site.invitation(AMB_LINDE))
    form = {"answer": "delegated", "colleague": "new", "colleague_name": "  Nieuwe   Collega ", "colleague_email": "Nieuw@DeLinde.example"}
    done = await site.submit(page, form)
    assert "Je collega krijgt de uitnodiging." in text_of(done.text)
    async with site.ctx.db.sessionmaker() as s:
        new = (await s.execute(select(Person).where(Person.email == "nieuw@delinde.example"))).scalar_one()
        theirs = (await s.execute(select(Invitation).where(Invitation.person_id == new.id))).scalar_one()
        told = (await s.execute(select(OutboxMessage).where(OutboxMessage.template == "rsvp_new_colleague"))).scalars().all()
    assert new.name == "Nieuwe Collega" and new.active and new.roles == ["deelnemer"]
    linde = await site.person(AMB_LINDE)
    assert new.organisation_id == linde.organisation_id
    assert theirs.delegated_from_id == linde.id and theirs.invited_at is None  # not reachable in chat (yet)
    assert (await invitation_of(site.h, "start", AMB_LINDE)).status == "delegated"
    assert [row.person_id for row in told] == [(await site.person(TREKKER)).id]
    await site.h.drain()
    notice = full_text(bot_messages(site.h.emu, site.h.uid(TREKKER))[-1])
    assert "Nieuwe Collega" in notice and "nieuw@delinde.example" in notice and "Zorggroep De Linde" in notice
    assert "Stuur de uitnodiging zelf door" in notice and "trajectbestand" in notice
    # Sending the same colleague again (a replayed form) adds nobody and tells nobody again.
    before = await site.dump()
    await site.submit(page, form)
    after = await site.dump()
    assert after["person"] == before["person"] and after["outbox"] == before["outbox"]


async def test_the_new_colleagues_fields_are_checked(site):
    await invited(site)
    page = await site.link(AMB_LINDE, "rsvp", await site.invitation(AMB_LINDE))
    before = await site.dump()
    bad = await site.post(page, {"answer": "delegated", "colleague": "new", "colleague_name": "", "colleague_email": "geen-adres"})
    text = text_of(bad.text)
    assert bad.status == 400
    assert "Vul de naam van je collega in." in text and "Vul een geldig e-mailadres in" in text
    assert 'aria-invalid="true"' in bad.text and 'value="geen-adres"' in bad.text  # what was typed stays
    long = await site.post(page, {"answer": "delegated", "colleague_name": "n" * 201, "colleague_email": "a@b.example"})
    assert long.status == 400 and "Die naam is te lang (hooguit 200 tekens)." in text_of(long.text)
    assert await site.dump() == before


async def test_the_page_carries_the_security_headers(site):
    await invited(site)
    shown = await site.get(await site.link(AMB_GGD, "rsvp", await site.invitation(AMB_GGD)))
    headers = shown.headers
    assert "script-src" not in headers["Content-Security-Policy"] and "default-src 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert "<script" not in shown.text and "style=" not in shown.text


async def test_an_english_reader_gets_english(site):
    async with site.ctx.db.transaction() as s:
        person = await s.get(Person, (await site.person(AMB_GGD)).id)
        person.language = "en"
    await invited(site)
    shown = await site.get(await site.link(AMB_GGD, "rsvp", await site.invitation(AMB_GGD)))
    assert '<html lang="en">' in shown.text
    text = text_of(shown.text)
    assert "Invitation: Startbijeenkomst lokaal hitteplan" in text and "I'm coming" in text
    assert "Tuesday 9 March 2027, 14:00-16:30" in text


async def test_a_cancelled_session_is_a_friendly_refusal(site):
    await invited(site)
    page = await site.link(AMB_GGD, "rsvp", await site.invitation(AMB_GGD))
    csrf = (await site.get(page)).csrf
    async with site.ctx.db.transaction() as s:
        inv = await s.get(Invitation, await site.invitation(AMB_GGD))
        (await s.run_sync(lambda _: inv.session)).cancelled = True
    shown = await site.get(page)
    assert shown.status == 403 and "Deze bijeenkomst gaat niet door." in text_of(shown.text)
    before = await site.dump()
    refused = await site.post(page, {"answer": "yes"}, csrf=csrf)
    assert refused.status == 403 and "Traceback" not in refused.text
    assert await site.dump() == before
