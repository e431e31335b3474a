"""The evaluation page: the same questions, validation and anonymity as the chat form."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.models import EvaluationPrompt, EvaluationResponse
from tests.e2e.conftest import AMB_GGD, AMB_LINDE
from tests.e2e.flows import anonymous_hitteplan, invite_and_answer, to_prompt_time
from tests.web.conftest import text_of

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere

GOOD = {"answer:waarde": "4", "answer:doelen": "Deels", "answer:risico": "Oververhitte slaapkamers"}


async def prompted(site, anonymous: bool = False) -> None:
    if anonymous:
        await site.h.import_example(text=anonymous_hitteplan())
    await invite_and_answer(site.h, {AMB_GGD: "Ik kom", AMB_LINDE: "Ik kom"})
    await to_prompt_time(site.h)


async def responses(site) -> list[EvaluationResponse]:
    async with site.ctx.db.sessionmaker() as s:
        return list((await s.execute(select(EvaluationResponse))).scalars())


async def test_the_form_shows_every_question_with_labels(site):
    await prompted(site)
    shown = await site.get(await site.link(AMB_GGD, "evaluation", await site.prompt(AMB_GGD)))
    assert shown.status == 200
    text = text_of(shown.text)
    assert "Evaluatie: Startbijeenkomst lokaal hitteplan" in text
    assert "Hoe waardevol vond je deze bijeenkomst?" in text and "Wat heb je nodig om betrokken te blijven? (niet verplicht)" in text
    assert shown.text.count('type="radio" id="answer:waarde-') == 5
    assert '<label for="answer:risico">' in shown.text and 'maxlength="2000"' in shown.text
    assert "De trekker ziet je naam bij je antwoorden." in text


async def test_a_named_evaluation_is_stored_and_can_be_changed(site):
    await prompted(site)
    page = await site.link(AMB_GGD, "evaluation", await site.prompt(AMB_GGD))
    done = await site.submit(page, GOOD)
    assert "Dank je wel voor je antwoorden!" in text_of(done.text)
    [row] = await responses(site)
    assert row.person_id == (await site.person(AMB_GGD)).id
    assert row.answers == {"waarde": 4, "doelen": "Deels", "risico": "Oververhitte slaapkamers"}
    again = await site.get(page)  # comes back filled in
    assert 'value="4" checked' in again.text and "Oververhitte slaapkamers</textarea>" in again.text
    await site.submit(page, {**GOOD, "answer:waarde": "2"})
    [row] = await responses(site)
    assert row.answers["waarde"] == 2


async def test_each_rule_is_a_field_error_and_stores_nothing(site):
    await prompted(site)
    page = await site.link(AMB_GGD, "evaluation", await site.prompt(AMB_GGD))
    before = await site.dump()
    empty = await site.post(page, {})
    assert empty.status == 400
    assert text_of(empty.text).count("Deze vraag is verplicht.") == 3  # the optional one is not
    wrong = await site.post(page, {**GOOD, "answer:waarde": "9", "answer:doelen": "Misschien"})
    assert text_of(wrong.text).count("Kies een van de mogelijkheden.") == 2
    assert 'value="Misschien"' not in wrong.text  # only the form's own options are offered
    assert await site.dump() == before


async def test_an_anonymous_answer_is_linked_to_nobody(site, caplog):
    await prompted(site, anonymous=True)
    page = await site.link(AMB_GGD, "evaluation", await site.prompt(AMB_GGD))
    shown = await site.get(page)
    assert "Dit formulier is anoniem." in text_of(shown.text)
    secret = "Een uniek antwoord 7f3a"
    with caplog.at_level(logging.DEBUG):
        await site.submit(page, {**GOOD, "answer:risico": secret})
    # An anonymous answer waits in the pool (no person, no time) until a batch moves it
    # into the answers (bot.services.evaluation_answers): nowhere else, in no log line.
    assert await responses(site) == []
    tables = await site.dump()
    holding = sorted(name for name, rows in tables.items() if secret in repr(rows))
    assert holding == ["evaluation_pool"]
    assert secret not in caplog.text
    async with site.ctx.db.sessionmaker() as s:
        prompt = await s.get(EvaluationPrompt, await site.prompt(AMB_GGD))
    assert prompt.responded is True
    # A second time is refused (on the page and for a replayed POST), and stores nothing.
    shown = await site.get(page)
    assert shown.status == 403 and "Hij is anoniem" in text_of(shown.text)
    before = await site.dump()
    replay = await site.post(page, GOOD, csrf=site.ctx.links.csrf(page[3:]))
    assert replay.status == 403
    assert await site.dump() == before


async def test_a_closed_evaluation_is_refused(site):
    await prompted(site)
    page = await site.link(AMB_GGD, "evaluation", await site.prompt(AMB_GGD), days=90)
    csrf = site.ctx.links.csrf(page[3:])
    site.h.clock.advance(days=30)
    shown = await site.get(page)
    assert shown.status == 403 and "De evaluatie is gesloten." in text_of(shown.text)
    before = await site.dump()
    assert (await site.post(page, GOOD, csrf=csrf)).status == 403
    assert await site.dump() == before
