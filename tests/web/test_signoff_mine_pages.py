"""The sign-off page (akkoord, niet akkoord with a reason, a question) and the page
"Wat wacht er op mij", whose every item links to its own page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.models import OutboxMessage, SignOffRequest
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, BESTUUR_LINDE, TREKKER
from tests.e2e.flows import invite_and_answer, to_prompt_time
from tests.web.conftest import text_of

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere


async def request_row(site, key: str = "linde") -> SignOffRequest:
    async with site.ctx.db.sessionmaker() as s:
        return await s.get(SignOffRequest, await site.signoff_request(key))


async def told(site, template: str) -> list[OutboxMessage]:
    async with site.ctx.db.sessionmaker() as s:
        return list((await s.execute(select(OutboxMessage).where(OutboxMessage.template == template))).scalars())


async def test_agree_on_the_page(site):
    await site.start_signoff()
    page = await site.link(BESTUUR_LINDE, "signoff", await site.signoff_request("linde"))
    shown = await site.get(page, choice="agreed")
    text = text_of(shown.text)
    assert "Ondertekenen: Samenwerkingsovereenkomst hitte" in text and "Namens Zorggroep De Linde" in text
    assert 'href="https://docs.example/overeenkomst" rel="noopener noreferrer"' in shown.text
    assert 'value="agree" checked' in shown.text  # the mail's button preselects, nothing more
    assert (await request_row(site)).decision == "pending"
    done = await site.submit(page, {"decision": "agree"})
    assert "Je akkoord is vastgelegd." in text_of(done.text)
    row = await request_row(site)
    assert row.decision == "agreed" and row.decided_by_id == (await site.person(BESTUUR_LINDE)).id
    assert "Besluit nu: akkoord (door Bestuurder De Linde)." in text_of((await site.get(page)).text)


async def test_decline_needs_a_reason_and_tells_the_trekker(site):
    await site.start_signoff()
    page = await site.link(AMB_LINDE, "signoff", await site.signoff_request("linde"))
    before = await site.dump()
    bare = await site.post(page, {"decision": "decline", "note": ""})
    assert bare.status == 400 and "Vul hier iets in." in text_of(bare.text)
    assert await site.dump() == before
    await site.submit(page, {"decision": "decline", "note": "Eerst langs de raad van bestuur."})
    row = await request_row(site)
    assert row.decision == "declined" and row.reason == "Eerst langs de raad van bestuur."
    assert [r.person_id for r in await told(site, "signoff_declined")] == [(await site.person(TREKKER)).id]


async def test_a_question_goes_to_the_trekker(site):
    await site.start_signoff()
    page = await site.link(AMB_LINDE, "signoff", await site.signoff_request("linde"))
    done = await site.submit(page, {"decision": "question", "note": "Geldt dit ook voor locatie Noord?"})
    assert "Je vraag is naar de trekker gestuurd." in text_of(done.text)
    assert (await request_row(site)).decision == "pending"
    [question] = await told(site, "signoff_question")
    assert question.data["question"] == "Geldt dit ook voor locatie Noord?"


async def test_someone_of_another_organisation_is_refused(site):
    await site.start_signoff()
    page = await site.link(AMB_GGD, "signoff", await site.signoff_request("linde"))
    shown = await site.get(page)
    assert shown.status == 403 and "Traceback" not in shown.text
    before = await site.dump()
    assert (await site.post(page, {"decision": "agree"}, csrf=site.ctx.links.csrf(page[3:]))).status == 403
    assert await site.dump() == before


async def test_after_the_deadline_the_decision_is_refused(site):
    await site.start_signoff(deadline="2027-02-03")
    page = await site.link(BESTUUR_LINDE, "signoff", await site.signoff_request("linde"))
    csrf = site.ctx.links.csrf(page[3:])
    site.h.clock.advance(days=3)
    assert (await site.get(page)).status == 200  # still readable
    refused = await site.post(page, {"decision": "agree"}, csrf=csrf)
    assert refused.status == 403 and (await request_row(site)).decision == "pending"


LINK = re.compile(r'<a href="(/p/[^"]+)">([^<]+)</a>')


async def test_mine_lists_everything_open_with_a_link_to_each_page(site):
    await site.send_memo(title="Verslag startbijeenkomst")
    await site.start_signoff(deadline="2027-04-01")
    await invite_and_answer(site.h, {AMB_LINDE: "Ik kom"})
    await to_prompt_time(site.h)
    page = await site.link(AMB_LINDE, "mine", None)
    before = await site.dump()
    shown = await site.get(page)
    assert shown.status == 200
    text = text_of(shown.text)
    assert "Wat wacht er op mij" in text
    links = {title: href for href, title in LINK.findall(shown.text)}
    assert "Hitteprotocol van De Linde bespreken in het MT en terugkoppelen aan de trekker." in links
    assert {"Verslag startbijeenkomst", "Samenwerkingsovereenkomst hitte", "Startbijeenkomst lokaal hitteplan"} <= set(links)
    # Every link opens its own page for this person.
    titles = {
        "Verslag startbijeenkomst": "Memo: Verslag startbijeenkomst",
        "Samenwerkingsovereenkomst hitte": "Ondertekenen: Samenwerkingsovereenkomst hitte",
        "Startbijeenkomst lokaal hitteplan": "Evaluatie: Startbijeenkomst lokaal hitteplan",
        "Hitteprotocol van De Linde bespreken in het MT en terugkoppelen aan de trekker.": "Afspraak van Zorggroep De Linde",
    }
    for title, heading in titles.items():
        opened = await site.get(links[title])
        assert opened.status == 200 and heading in text_of(opened.text), title
    assert await site.dump() == before
    # Nothing to send on this page.
    assert (await site.post(page, {"x": "y"}, csrf=site.ctx.links.csrf(page[3:]))).status == 403


async def test_mine_says_so_when_nothing_waits(site):
    shown = await site.get(await site.link(AMB_GGD, "mine", None))
    # The GGD ambassador owns a commitment from the file: that is listed.
    assert "Hitte-advies voor zorgmedewerkers" in text_of(shown.text)
    shown = await site.get(await site.link(TREKKER, "mine", None))
    assert "Er wacht nu niets op je. Fijn!" in text_of(shown.text)
