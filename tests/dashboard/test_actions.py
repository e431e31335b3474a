"""Every dashboard action through its form, over real HTTP: the effect (outbox rows,
Slack emulator messages, database rows), the refusals, and CSRF."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Commitment, Memo, Organisation, Person, SignOffRound, Trajectory
from tests.dashboard.helpers import PAGE, act, outbox_count, rows, signed_in
from tests.e2e.conftest import AMB_GGD, START_INVITEES, invitations_to, messages_containing
from tests.e2e.flows import invite_and_answer


async def test_without_or_with_a_foreign_csrf_token_nothing_happens(dash, web):
    await dash.h.import_example()
    csrf = await signed_in(dash, web)
    before = await outbox_count(dash)
    for token in (None, "", "0" * 64):
        refused = await act(web, token, "uitnodigen", sessie="start")
        assert refused.status == 403 and "formulier is verlopen" in refused.text
    assert await outbox_count(dash) == before
    # The right token, sent by a page of another site: refused too; from the bot's own pages it works.
    foreign = await web.post(f"{PAGE}/actie/uitnodigen", {"csrf": csrf, "sessie": "start"}, origin="https://elders.example")
    assert foreign.status == 403
    assert await outbox_count(dash) == before
    # A token of the trekker's own earlier session does not work in a new one.
    web.cookie = None
    await signed_in(dash, web)
    assert (await act(web, csrf, "uitnodigen", sessie="start")).status == 403
    assert await outbox_count(dash) == before


async def test_invite_then_remind_non_responders(dash, web):
    await dash.h.import_example()
    csrf = await signed_in(dash, web)
    done = await act(web, csrf, "uitnodigen", sessie="start")
    assert done.status == 200 and "Uitnodigingen voor Startbijeenkomst lokaal hitteplan: 6 nieuw verstuurd" in done.text
    assert len(await rows(dash, "invitation")) == len(START_INVITEES)
    await dash.h.drain()
    assert invitations_to(dash.h.emu, dash.h.uid(AMB_GGD))
    reminded = await act(web, csrf, "herinneren", sessie="start")
    assert reminded.status == 200 and "Herinnering voor Startbijeenkomst lokaal hitteplan gestuurd aan" in reminded.text
    await dash.h.drain()
    assert len(await rows(dash, "rsvp_reminder")) >= 5
    assert messages_containing(dash.h.emu, dash.h.uid(AMB_GGD), "we hebben nog geen antwoord van je")
    again = await act(web, csrf, "herinneren", sessie="start")
    assert "kregen vandaag al een herinnering" in again.text


async def test_refusals_are_shown_on_the_page(dash, web):
    await dash.h.import_example()
    csrf = await signed_in(dash, web)
    unknown = await act(web, csrf, "uitnodigen", sessie="bestaat-niet")
    assert unknown.status == 409 and "ken ik niet" in unknown.text and "Traceback" not in unknown.text
    not_invited = await act(web, csrf, "herinneren", sessie="bestuurlijk")
    assert not_invited.status == 200 and "nog geen uitnodigingen" in not_invited.text
    assert (await act(web, csrf, "bestaat-niet")).status == 404


async def test_commitment_round_and_status_post(dash, web):
    await dash.h.import_example()
    dash.h.clock.set(dash.h.clock.now().replace(month=6))  # after the commitments' due dates
    csrf = await signed_in(dash, web)
    round_ = await act(web, csrf, "afspraken-herinneren")
    assert round_.status == 200 and "Herinneringsronde voor afspraken" in round_.text
    assert len(await rows(dash, "commitment_reminder")) >= 1
    posted = await act(web, csrf, "status")
    assert posted.status == 200 and "Het overzicht staat in" in posted.text
    assert await rows(dash, "summary")


async def test_add_a_commitment_with_problems_then_right(dash, web):
    await dash.h.import_example()
    csrf = await signed_in(dash, web)
    form = await web.get(f"{PAGE}/formulier/afspraak")
    assert form.status == 200 and 'for="omschrijving"' in form.text
    async with dash.h.ctx.db.sessionmaker() as s:
        ggd = (await s.execute(select(Organisation).where(Organisation.key == "ggd"))).scalar_one()
        owner = (await s.execute(select(Person).where(Person.email == AMB_GGD))).scalar_one()
    wrong = await act(web, csrf, "afspraak", organisatie=str(ggd.id), eigenaar=str(owner.id), omschrijving="", datum="2020-01-01")
    assert wrong.status == 422 and 'aria-invalid="true"' in wrong.text and 'class="problem"' in wrong.text
    done = await act(web, csrf, "afspraak", organisatie=str(ggd.id), eigenaar=str(owner.id),
                     omschrijving="Hitteplan <delen> met de wijkteams", datum="2027-03-01", fase="2")
    assert done.status == 200 and "Afspraak vastgelegd voor GGD Regio Voorbeeld" in done.text
    async with dash.h.ctx.db.sessionmaker() as s:
        made = (await s.execute(select(Commitment).where(Commitment.source == "chat"))).scalar_one()
    assert made.description == "Hitteplan <delen> met de wijkteams"
    page = await web.get(PAGE)
    assert "Hitteplan &lt;delen&gt; met de wijkteams" in page.text


async def test_memo_preview_then_send(dash, web):
    await dash.h.import_example()
    csrf = await signed_in(dash, web)
    assert (await web.get(f"{PAGE}/formulier/memo")).status == 200
    empty = await act(web, csrf, "memo-voorbeeld", titel="", tekst="", publiek="all")
    assert empty.status == 422 and 'class="problem"' in empty.text
    preview = await act(web, csrf, "memo-voorbeeld", titel="Verslag start", tekst="Dank voor jullie komst.", publiek="all")
    assert preview.status == 200 and "Voorbeeld van je memo" in preview.text and "Verslag start" in preview.text
    async with dash.h.ctx.db.sessionmaker() as s:
        memo = (await s.execute(select(Memo))).scalar_one()
    assert memo.status == "draft"  # the preview asks first; nothing sent yet
    assert not await rows(dash, "memo")
    sent = await act(web, csrf, "memo-versturen", memo=str(memo.id))
    assert sent.status == 200 and "Je memo Verslag start gaat naar" in sent.text
    assert len(await rows(dash, "memo")) >= 7
    twice = await act(web, csrf, "memo-versturen", memo=str(memo.id))
    assert twice.status == 200 and "al verstuurd" in twice.text


async def test_move_phase_asks_for_confirmation(dash, web):
    await dash.h.import_example()
    csrf = await signed_in(dash, web)
    confirm = await web.get(f"{PAGE}/formulier/fase?naar=3")
    assert confirm.status == 200 and "Naar fase 3" in confirm.text
    same = await web.get(f"{PAGE}/formulier/fase?naar=2")
    assert same.status == 409 and "al in fase 2" in same.text
    assert (await act(web, csrf, "fase", naar="2", bereikt="yes")).status == 409
    missing = await act(web, csrf, "fase", naar="3")
    assert missing.status == 422 and "Kies ja, deels of nee." in missing.text
    done = await act(web, csrf, "fase", naar="3", bereikt="partly", toelichting="Goed begin")
    assert done.status == 200 and "is nu in fase 3" in done.text
    async with dash.h.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(Trajectory.current_phase))).scalar_one() == 3


async def test_start_a_signoff_round(dash, web):
    await dash.h.import_example()
    csrf = await signed_in(dash, web)
    form = await web.get(f"{PAGE}/formulier/ondertekenen")
    assert form.status == 200
    async with dash.h.ctx.db.sessionmaker() as s:
        ids = [str(i) for i in (await s.execute(select(Organisation.id))).scalars()]
    wrong = await act(web, csrf, "ondertekenen", titel="Hitteplan", link="geen link", deadline="2027-05-01")
    assert wrong.status == 422
    data = [("csrf", csrf), ("titel", "Hitteplan 2027"), ("link", "https://docs.example/hitteplan"), ("deadline", "2027-05-01")]
    data += [("organisaties", i) for i in ids]
    done = await web.post(f"{PAGE}/actie/ondertekenen", data)
    assert done.status == 200 and "Hitteplan 2027" in done.text
    async with dash.h.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(SignOffRound.title))).scalar_one() == "Hitteplan 2027"
    assert await rows(dash, "signoff_request")
    page = await web.get(PAGE)
    assert "nog geen besluit" in page.text


async def test_evaluation_now_and_results(dash, web):
    h = dash.h
    await h.import_example()
    await invite_and_answer(h, {AMB_GGD: "Ik kom"})
    csrf = await signed_in(dash, web)
    early = await act(web, csrf, "evaluatie", sessie="start")
    assert early.status in (200, 409) and "Traceback" not in early.text
    h.clock.set(h.clock.now().replace(month=3, day=9, hour=17))
    csrf = await signed_in(dash, web)
    prompted = await act(web, csrf, "evaluatie", sessie="start")
    assert prompted.status == 200, prompted.text
    assert await rows(dash, "evaluation_prompt")
    results = await act(web, csrf, "resultaten", sessie="start")
    assert results.status == 200 and "uitslag van de evaluatie" in results.text
    assert await rows(dash, "evaluation_results")
