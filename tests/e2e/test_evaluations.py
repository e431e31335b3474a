"""Evaluations end to end: prompt timing and quiet hours, who gets a prompt, the form
opened with the click's trigger_id, server-side validation, editing, the reminder,
closing, results and their threshold, hostile text, and anonymity (asserted on the
database rows and the captured logs)."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select
from sqlalchemy import text as text_sql

from bot.models import EvaluationPrompt, EvaluationResponse, OutboxMessage, Person
from tests.conftest import local
from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    AMB_THUISZORG,
    AMB_WELZIJN,
    BESTUUR_THUISZORG,
    COLLEGA,
    TREKKER,
    bot_messages,
    button_labels,
    dump,
    example_data,
    full_text,
    invitations_to,
    mrkdwn_of,
    reply_text,
)
from tests.e2e.flows import (
    anonymous_hitteplan,
    answer_values,
    evaluation_rows,
    fill_in,
    invite_and_answer,
    jump,
    open_form,
    prompt_of,
    prompts_to,
    to_prompt_time,
)

HOSTILE = "<!channel> *hitte* <@U0001> <https://evil.example|klik> & =1+1"


def results_to(h, email: str = TREKKER) -> list:
    return [m for m in bot_messages(h.emu, h.uid(email)) if (m.text or "").startswith("Resultaten evaluatie")]


# -- who gets a prompt, and when ------------------------------------------------------------------


async def test_prompts_go_15_minutes_after_the_session_to_who_said_yes_or_maybe(harness):
    h = harness
    await h.import_example()
    await invite_and_answer(h, {AMB_LINDE: "Ik kom", AMB_GGD: "Misschien", COLLEGA: "Ik kan niet"})
    # Thuiszorg sends a colleague, who says yes; Welzijn and the trekker never answer.
    delegation = invitations_to(h.emu, h.uid(AMB_THUISZORG))[-1]
    await h.drv.click(h.uid(AMB_THUISZORG), delegation, text="Ik stuur een collega")
    await h.drv.submit_view(h.uid(AMB_THUISZORG), values={"colleague": "Bestuurder Thuiszorg"})
    await h.drain()
    await h.drv.click(h.uid(BESTUUR_THUISZORG), invitations_to(h.emu, h.uid(BESTUUR_THUISZORG))[-1], text="Ik kom")
    await h.drain()

    await jump(h, local(2027, 3, 9, 16, 44))
    assert not any(prompts_to(h, e) for e in (AMB_LINDE, AMB_GGD, BESTUUR_THUISZORG)), "not before end + 15 minutes"
    await h.tick(minutes=1)
    for email in (AMB_LINDE, AMB_GGD, BESTUUR_THUISZORG):
        [prompt] = prompts_to(h, email)
        assert "Hoe was Startbijeenkomst lokaal hitteplan?" in full_text(prompt)
        assert button_labels(prompt) == ["Evaluatie invullen"]
    for email in (COLLEGA, AMB_THUISZORG, AMB_WELZIJN, TREKKER):
        assert not prompts_to(h, email), email

    await jump(h, local(2027, 3, 12, 12, 0))
    assert all(len(prompts_to(h, e)) <= 2 for e in (AMB_LINDE, AMB_GGD)), "prompted once (plus one reminder)"


async def test_prompts_wait_for_the_next_working_morning(harness):
    h = harness
    data = example_data()
    start = next(s for s in data["sessions"] if s["key"] == "start")
    start["starts"], start["ends"] = "2027-03-12 16:00", "2027-03-12 17:50"  # a Friday
    await h.import_example(text=dump(data))
    await invite_and_answer(h, {AMB_LINDE: "Ik kom"})
    await jump(h, local(2027, 3, 15, 7, 59))
    assert not prompts_to(h, AMB_LINDE), "no prompt in the evening or the weekend"
    await h.tick(minutes=1)
    assert prompts_to(h, AMB_LINDE), "Monday 08:00"


async def test_the_command_sends_prompts_now_before_or_after_the_session(harness):
    h = harness
    await h.import_example()
    await invite_and_answer(h, {AMB_LINDE: "Ik kom"})

    r = await h.command(AMB_LINDE, "evaluatie start")
    assert "alleen een trekker" in reply_text(h, r)
    r = await h.command(TREKKER, "evaluate start")
    assert "1 persoon gevraagd" in reply_text(h, r)
    await h.drain()
    assert len(prompts_to(h, AMB_LINDE)) == 1, "before the session, on request"

    # Who says yes later gets the prompt when the session ends; nobody gets two.
    await h.drv.click(h.uid(AMB_GGD), invitations_to(h.emu, h.uid(AMB_GGD))[-1], text="Misschien")
    await to_prompt_time(h)
    assert len(prompts_to(h, AMB_LINDE)) == 1 and len(prompts_to(h, AMB_GGD)) == 1
    r = await h.command(TREKKER, "evaluatie start")
    assert "0 mensen gevraagd, 2 hadden de vraag al" in reply_text(h, r)

    data = example_data()
    del data["sessions"][1]["evaluation"]
    await h.import_example(text=dump(data))
    r = await h.command(TREKKER, "evaluatie bestuurlijk")
    assert "hoort geen evaluatieformulier" in reply_text(h, r)


# -- the form ------------------------------------------------------------------------------------


async def test_the_form_opens_at_once_with_the_clicks_trigger_id(harness):
    h = harness
    await h.import_example()
    await invite_and_answer(h, {AMB_LINDE: "Ik kom"})
    await to_prompt_time(h)
    h.emu.reset_calls()
    click, view = await open_form(h, AMB_LINDE)
    [opened] = h.emu.successful("views.open")
    assert opened.args["trigger_id"] == click.trigger_id
    assert [c.method for c in h.emu.calls] == ["views.open"], "nothing slow, nothing else before the modal"
    assert click.elapsed < 3.0
    assert view["callback_id"] == "evaluation_modal"
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels[0] == "Hoe waardevol vond je deze bijeenkomst?"
    assert [b.get("optional", False) for b in view["blocks"] if b["type"] == "input"] == [False, False, False, True]

    # Someone else's prompt does not open.
    r = await h.drv.click(h.uid(AMB_GGD), prompt_of(h, AMB_LINDE), text="Evaluatie invullen")
    assert "niet voor jou" in reply_text(h, r)


async def test_the_server_validates_every_answer(harness):
    h = harness
    await h.import_example()
    await invite_and_answer(h, {AMB_LINDE: "Ik kom"})
    await to_prompt_time(h)
    _, view = await open_form(h, AMB_LINDE)

    r = await h.drv.submit_view(h.uid(AMB_LINDE), values={})
    assert r.json["response_action"] == "errors"
    assert set(r.json["errors"]) == {"eval_q:waarde", "eval_q:doelen", "eval_q:risico"}
    assert r.json["errors"]["eval_q:risico"] == "Deze vraag is verplicht."

    r = await h.drv.submit_view(h.uid(AMB_LINDE), values=answer_values(rating=4, choice="Ja", risico="x" * 2001))
    assert "te lang (2001 tekens)" in r.json["errors"]["eval_q:risico"]
    r = await h.drv.submit_view(h.uid(AMB_LINDE), values=answer_values(rating=4, choice="Ja", risico="   "))
    assert set(r.json["errors"]) == {"eval_q:risico"}, "blank text counts as empty"

    forged = {
        "eval_q:waarde": {"eval_answer:waarde": {"type": "radio_buttons", "selected_option": {"value": "9"}}},
        "eval_q:doelen": {"eval_answer:doelen": {"type": "radio_buttons", "selected_option": {"value": "Misschien wel"}}},
        "eval_q:risico": {"eval_answer:risico": {"type": "plain_text_input", "value": "ok"}},
        "eval_q:nodig": {"eval_answer:nodig": {"type": "plain_text_input", "value": None}},
    }
    r = await h.drv.submit_view(h.uid(AMB_LINDE), values=forged)
    assert set(r.json["errors"]) == {"eval_q:waarde", "eval_q:doelen"}
    assert h.emu.open_views(h.uid(AMB_LINDE)), "the modal stays open on errors"
    _, _, responses = await evaluation_rows(h)
    assert not responses


async def test_submit_thanks_edit_until_closing_then_closed(harness):
    h = harness
    await h.import_example()
    await invite_and_answer(h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom"})
    await to_prompt_time(h)

    r = await fill_in(h, AMB_LINDE, rating=4, choice="Deels", risico="Geen koele ruimte")
    assert r.body_text == "" and not h.emu.open_views(h.uid(AMB_LINDE)), "a valid submission closes the modal"
    await h.drain()
    prompt = prompt_of(h, AMB_LINDE)
    assert "Bedankt!" in full_text(prompt) and button_labels(prompt) == ["Antwoorden wijzigen"]
    assert len(prompt.versions) == 2, "the prompt message itself is updated"

    # Change the answers two days later: the form comes back filled in.
    h.clock.advance(days=2)
    _, view = await open_form(h, AMB_LINDE)
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["eval_q:waarde"]["initial_option"]["value"] == "4"
    assert inputs["eval_q:doelen"]["initial_option"]["text"]["text"] == "Deels"
    assert inputs["eval_q:risico"]["initial_value"] == "Geen koele ruimte"
    assert view["submit"]["text"] == "Wijzigingen opslaan"
    r = await h.drv.submit_view(h.uid(AMB_LINDE), values=answer_values(rating=5, choice="Ja", risico="Hitte in de nacht", nodig="Tijd"))
    assert r.body_text == ""
    _, prompts, responses = await evaluation_rows(h)
    [mine] = responses
    assert mine.answers == {"waarde": 5, "doelen": "Ja", "risico": "Hitte in de nacht", "nodig": "Tijd"}
    assert mine.updated_at > mine.submitted_at

    # Seven days after the session the evaluation closes.
    await jump(h, local(2027, 3, 16, 16, 29))
    assert not results_to(h)
    await h.tick(minutes=1)
    assert "gesloten" in full_text(prompt_of(h, AMB_LINDE)) and button_labels(prompt_of(h, AMB_LINDE)) == []
    assert "gesloten" in full_text(prompt_of(h, AMB_GGD))
    [results] = results_to(h)
    assert "Respons:* 1 van 2 (50%)" in full_text(results)

    # A form still open on someone's screen cannot be sent any more.
    old_view = view
    r = await h.drv.submit_view(h.uid(AMB_LINDE), view=old_view, values=answer_values(rating=1, choice="Nee", risico="te laat"), apply=False)
    assert r.json["response_action"] == "errors" and "gesloten" in next(iter(r.json["errors"].values()))
    _, _, responses = await evaluation_rows(h)
    assert responses[0].answers["waarde"] == 5


async def test_one_reminder_after_two_days_to_who_has_not_answered(harness):
    h = harness
    await h.import_example()
    await invite_and_answer(h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom", AMB_WELZIJN: "Misschien"})
    await to_prompt_time(h)
    await fill_in(h, AMB_LINDE, rating=3, choice="Ja", risico="Hitte")
    await h.drain()

    await jump(h, local(2027, 3, 11, 16, 44))
    assert all(len(prompts_to(h, e)) == 1 for e in (AMB_GGD, AMB_WELZIJN))
    await h.tick(minutes=1)
    for email in (AMB_GGD, AMB_WELZIJN):
        reminder = prompts_to(h, email)[-1]
        assert reminder.text.startswith("Herinnering: evaluatie")
        assert button_labels(reminder) == ["Evaluatie invullen"]
    assert len(prompts_to(h, AMB_LINDE)) == 1

    # Answering from the reminder works, and updates both messages.
    _, view = await open_form(h, AMB_GGD, message=prompts_to(h, AMB_GGD)[-1])
    await h.drv.submit_view(h.uid(AMB_GGD), values=answer_values(rating=2, choice="Nee", risico="Water"))
    await h.drain()
    assert all("Bedankt!" in full_text(m) for m in prompts_to(h, AMB_GGD))

    await jump(h, local(2027, 3, 16, 12, 0))
    assert len(prompts_to(h, AMB_WELZIJN)) == 2, "one reminder, not more"


# -- results -------------------------------------------------------------------------------------


async def test_results_on_closing_and_on_demand_with_names_and_escaped_text(harness):
    h = harness
    await h.import_example()
    await invite_and_answer(h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom", AMB_WELZIJN: "Ik kom"})
    await to_prompt_time(h)
    await fill_in(h, AMB_LINDE, rating=4, choice="Ja", risico=HOSTILE)
    await fill_in(h, AMB_GGD, rating=2, choice="Deels", risico="Eenzame ouderen", nodig="<@U0002> bellen")
    await h.drain()

    r = await h.command(TREKKER, "evaluatie start resultaten")
    assert "in een direct bericht" in reply_text(h, r)
    await h.drain()
    [early] = results_to(h)
    text = full_text(early)
    assert "open tot dinsdag 16 maart 2027, 16:30" in text
    assert "Respons:* 2 van 3 (67%)" in text
    assert "Gemiddeld *3,0* (schaal 1-5)" in text
    assert "` 4` ██████████ 1" in text and "` 2` ██████████ 1" in text and "` 1` ░░░░░░░░░░ 0" in text
    assert "Ja: `██████████` 1" in text and "Nee: `░░░░░░░░░░` 0" in text
    assert "Eenzame ouderen — _Ambassadeur GGD, GGD Regio Voorbeeld_" in text
    live = "\n".join(mrkdwn_of(early.blocks))
    assert "<!channel>" not in live and "<@U" not in live and "<https" not in live
    assert "&lt;!channel&gt; *hitte* &lt;@U0001&gt; &lt;https://evil.example|klik&gt; &amp; =1+1" in live
    async with h.ctx.db.sessionmaker() as s:
        stored = (await s.execute(select(EvaluationResponse.answers))).scalars().all()
    assert {a["risico"] for a in stored} == {HOSTILE, "Eenzame ouderen"}, "stored intact"

    await jump(h, local(2027, 3, 16, 16, 31))
    final = results_to(h)[-1]
    assert "gesloten" in full_text(final) and final is not early

    r = await h.command(TREKKER, "evaluatie bestuurlijk resultaten")
    assert "nog niet geopend" in reply_text(h, r)


# -- anonymity -----------------------------------------------------------------------------------


async def test_anonymous_answers_cannot_be_linked_to_anyone(harness, caplog):
    h = harness
    await h.import_example(text=anonymous_hitteplan())
    respondents = {AMB_LINDE: "Zzz laatste", AMB_GGD: "Aaa eerste", AMB_WELZIJN: HOSTILE}
    await invite_and_answer(h, {e: "Ik kom" for e in respondents} | {AMB_THUISZORG: "Ik kom"})
    await to_prompt_time(h)
    assert "Anoniem" in full_text(prompt_of(h, AMB_LINDE))
    _, view = await open_form(h, AMB_LINDE)
    assert "anoniem" in full_text(view) and "niet meer wijzigen" in full_text(view)
    h.emu.close_view(h.uid(AMB_LINDE))

    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for index, (email, text) in enumerate(respondents.items()):
        r = await fill_in(h, email, rating=index + 2, choice="Ja", risico=text)
        assert r.body_text == ""
        h.clock.advance(hours=1)
    await h.tick()
    answering_log = list(caplog.records)  # (the results sent at closing are in Slack's debug log, by design)
    # The three answer sets wait in the pool (fewer than a batch), written by one transaction.
    async with h.ctx.db.sessionmaker() as s:
        assert (await s.execute(text_sql("SELECT count(*) FROM evaluation_response"))).scalar_one() == 0
        if h.ctx.db.is_postgres:
            assert (await s.execute(text_sql("SELECT count(DISTINCT xmin::text) FROM evaluation_pool"))).scalar_one() == 1
        pooled = (await s.execute(text_sql("SELECT id FROM evaluation_pool"))).scalars().all()
    assert len(pooled) == 3
    # Closing moves them into the answers table, in one shuffled batch.
    await jump(h, local(2027, 3, 16, 16, 31))
    async with h.ctx.db.sessionmaker() as s:
        if h.ctx.db.is_postgres:
            assert (await s.execute(text_sql("SELECT count(DISTINCT xmin::text) FROM evaluation_response"))).scalar_one() == 1
        else:
            rowids = sorted((await s.execute(text_sql("SELECT rowid FROM evaluation_response"))).scalars())
            assert rowids == [1, 2, 3], "one fresh batch (in shuffled order), not three inserts over time"
        assert (await s.execute(text_sql("SELECT count(*) FROM evaluation_pool"))).scalar_one() == 0

    async with h.ctx.db.sessionmaker() as s:
        people = {p.email: p for p in (await s.execute(select(Person))).scalars()}
        prompts = (await s.execute(select(EvaluationPrompt))).scalars().all()
        responses = (await s.execute(select(EvaluationResponse))).scalars().all()
        outbox = (await s.execute(select(OutboxMessage))).scalars().all()

    # The answers: no person, no time, a random id.
    assert len(responses) == 3
    for row in responses:
        assert row.person_id is None and row.submitted_at is None and row.updated_at is None
        assert re.fullmatch(r"[0-9a-f]{32}", row.id)
    assert sorted(r.answers["risico"] for r in responses) == sorted(respondents.values())
    identities = set()
    for email in respondents:
        p = people[email]
        identities |= {p.email, p.name, p.slack_user_id}
    for row in responses:
        assert not identities & {str(v) for v in row.answers.values()}

    # The markers: who responded, nothing about when, and no answers.
    marked = {p.person_id: p for p in prompts}
    for email in respondents:
        assert marked[people[email].id].responded is True
    assert marked[people[AMB_THUISZORG].id].responded is False
    assert len({p.prompted_at for p in prompts}) == 1, "all prompted at one moment; answering leaves no time"
    assert not hasattr(EvaluationPrompt, "responded_at") and not hasattr(EvaluationPrompt, "answered_at")

    # Nothing the bot wrote links a person to an answer: not the outbox, not the logs.
    answers = set(respondents.values())
    for row in outbox:
        if row.template == "evaluation_results":  # after closing, to the trekkers: answers, nobody's name
            assert not any(i in str(row.data) for i in identities if i), row.key
            continue
        assert not any(a in str(row.data) for a in answers), row.key
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in answering_log)
    for email in respondents:
        p = people[email]
        for secret in (p.email, p.name, p.slack_user_id, f"person {p.id}", f"person_id={p.id}"):
            assert secret not in logged, secret
    assert not any(a in logged for a in answers)

    # Changing is impossible (nothing links the answers to their author any more).
    prompt = prompt_of(h, AMB_LINDE)
    assert button_labels(prompt) == []
    r = await h.drv.submit_view(h.uid(AMB_LINDE), view=view, values=answer_values(rating=1, choice="Nee", risico="nog eens"), apply=False)
    assert r.json["response_action"] == "errors"
    _, _, responses = await evaluation_rows(h)
    assert len(responses) == 3

    # Results once closed, texts in an order that says nothing about who or when.
    final = full_text(results_to(h)[-1])
    assert final.index("Aaa eerste") < final.index("Zzz laatste")
    assert "Ambassadeur" not in final


async def test_anonymous_results_wait_until_closed(harness):
    h = harness
    await h.import_example(text=anonymous_hitteplan())
    respondents = {AMB_LINDE: "Zzz laatste", AMB_GGD: "Aaa eerste", AMB_WELZIJN: "Mmm midden"}
    await invite_and_answer(h, {e: "Ik kom" for e in respondents} | {AMB_THUISZORG: "Ik kom"})
    await to_prompt_time(h)
    for email, text in respondents.items():
        await fill_in(h, email, rating=3, choice="Ja", risico=text)
    await h.drain()
    prompt = prompt_of(h, AMB_LINDE)
    assert button_labels(prompt) == [] and "anoniem opgeslagen" in full_text(prompt)
    r = await h.command(TREKKER, "evaluatie start resultaten")
    await h.drain()
    early = full_text(results_to(h)[-1])
    assert "Respons:* 3 van 4" in early and "zie je als hij sluit" in early
    assert not any(a in early for a in respondents.values())


async def test_anonymous_results_only_from_the_threshold(harness):
    h = harness
    await h.import_example(text=anonymous_hitteplan(threshold=4))
    await invite_and_answer(h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom", AMB_WELZIJN: "Ik kom", COLLEGA: "Ik kom"})
    await to_prompt_time(h)
    for email in (AMB_LINDE, AMB_GGD, AMB_WELZIJN):
        await fill_in(h, email, rating=3, choice="Ja", risico=f"antwoord van {email}")
    await jump(h, local(2027, 3, 16, 16, 31))
    [results] = results_to(h)
    text = full_text(results)
    assert "Er zijn 3 antwoorden" in text and "vanaf 4 antwoorden" in text
    assert "antwoord van" not in text and "Gemiddeld" not in text

    # The file cannot set it below 3.
    from bot.trajectory_file import parse

    _, errors = parse(anonymous_hitteplan(threshold=2), "hitteplan.yaml")
    assert errors and "anonymous_threshold" in errors[0].field
