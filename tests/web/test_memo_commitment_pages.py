"""The memo page (Gelezen) and the commitment page (every status, the note and date rules)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Commitment, CommitmentEvent, MemoRecipient, OutboxMessage
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, TREKKER, reply_text
from tests.web.conftest import text_of

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere


async def test_the_memo_page_shows_the_memo_and_marks_it_read(site):
    await site.send_memo(body="Het doel van het traject.\nTweede regel.")
    page = await site.link(AMB_GGD, "memo", await site.recipient(AMB_GGD))
    shown = await site.get(page)
    assert shown.status == 200
    assert "Memo: Doel en opzet" in text_of(shown.text) and "Tweede regel." in shown.text
    assert ">Gelezen</button>" in shown.text
    done = await site.submit(page, {})
    assert "De trekker ziet dat je het memo hebt gelezen." in text_of(done.text)
    async with site.ctx.db.sessionmaker() as s:
        row = await s.get(MemoRecipient, await site.recipient(AMB_GGD))
    assert row.read_at == site.ctx.now()
    status = reply_text(site.h, await site.h.command(TREKKER, "memo status"))
    assert "gelezen door *1*" in status
    again = await site.get(page)
    assert "Je hebt dit memo gelezen op maandag 1 februari 2027, 09:00." in text_of(again.text)
    assert "<button" not in again.text  # nothing left to press


async def test_someone_elses_memo_is_refused(site):
    await site.send_memo()
    page = await site.link(AMB_LINDE, "memo", await site.recipient(AMB_GGD))  # a link for the wrong person
    shown = await site.get(page)
    assert shown.status == 403 and "Deze memo is niet aan jou gestuurd." in text_of(shown.text)
    before = await site.dump()
    assert (await site.post(page, {}, csrf=site.ctx.links.csrf(page[3:]))).status == 403
    assert await site.dump() == before


async def commitment_of(site, key: str) -> Commitment:
    async with site.ctx.db.sessionmaker() as s:
        return await s.get(Commitment, await site.commitment(key))


async def test_commitment_done_on_the_page(site):
    page = await site.link(AMB_GGD, "commitment", await site.commitment("ggd-advies"))
    shown = await site.get(page)
    text = text_of(shown.text)
    assert "Afspraak van GGD Regio Voorbeeld" in text and "Hitte-advies voor zorgmedewerkers" in text
    assert "dinsdag 27 april 2027" in text
    done = await site.submit(page, {"to": "done", "note": ""})
    assert "De afspraak staat op gedaan." in text_of(done.text)
    c = await commitment_of(site, "ggd-advies")
    assert c.status == "done" and c.done_at == site.ctx.now()


async def test_blocked_needs_a_note_and_tells_the_trekker(site):
    page = await site.link(AMB_GGD, "commitment", await site.commitment("ggd-advies"))
    before = await site.dump()
    bare = await site.post(page, {"to": "blocked", "note": "  "})
    assert bare.status == 400 and "Vul hier een korte uitleg in." in text_of(bare.text)
    assert 'aria-describedby="hint-note fout-note"' in bare.text
    none = await site.post(page, {"note": "x"})
    assert none.status == 400 and "Kies een van de mogelijkheden." in text_of(none.text)
    assert await site.dump() == before
    await site.submit(page, {"to": "blocked", "note": "Geen budget dit jaar."})
    c = await commitment_of(site, "ggd-advies")
    assert c.status == "blocked" and c.last_note == "Geen budget dit jaar."
    async with site.ctx.db.sessionmaker() as s:
        told = (await s.execute(select(OutboxMessage).where(OutboxMessage.template == "commitment_blocked"))).scalars().all()
        events = (await s.execute(select(CommitmentEvent).where(CommitmentEvent.commitment_id == c.id))).scalars().all()
    assert [r.person_id for r in told] == [(await site.person(TREKKER)).id]
    assert [e.actor_id for e in events] == [(await site.person(AMB_GGD)).id]


async def test_not_applicable_needs_a_note_and_snooze_takes_a_date_in_the_future(site):
    page = await site.link(AMB_GGD, "commitment", await site.commitment("ggd-advies"))
    bare = await site.post(page, {"to": "not_applicable"})
    assert bare.status == 400 and "Vul hier een korte uitleg in." in text_of(bare.text)
    past = await site.post(page, {"to": "snoozed", "snooze": "date", "snooze_date": "2027-01-15"})
    assert past.status == 400 and "Kies een datum in de toekomst." in text_of(past.text)
    assert 'value="2027-01-15"' in past.text
    await site.submit(page, {"to": "snoozed", "snooze": "date", "snooze_date": "2027-03-01"})
    assert str((await commitment_of(site, "ggd-advies")).snoozed_until) == "2027-03-01"
    await site.submit(page, {"to": "snoozed", "snooze": "week"})
    assert str((await commitment_of(site, "ggd-advies")).snoozed_until) == "2027-02-08"
    await site.submit(page, {"to": "busy", "note": ""})
    assert (await commitment_of(site, "ggd-advies")).status == "busy"


async def test_someone_of_another_organisation_may_not_change_it(site):
    page = await site.link(AMB_LINDE, "commitment", await site.commitment("ggd-advies"))
    shown = await site.get(page)
    assert shown.status == 403 and "Traceback" not in shown.text
    before = await site.dump()
    refused = await site.post(page, {"to": "done"}, csrf=site.ctx.links.csrf(page[3:]))
    assert refused.status == 403
    assert await site.dump() == before
