"""Teams end to end: an evaluation as a card form (rating, choice, text; required
answers checked on the server), editing, authorisation and the results."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import EvaluationResponse
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.server import card_inputs

TREKKER = "trekker@voorbeeldstad.example"
GGD = "ambassadeur@ggd.example"
LINDE = "ambassadeur@delinde.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", GGD, LINDE, "bestuur@delinde.example", "ambassadeur@thuiszorg.example",
            "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]


async def prompted(th):
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    for email, answer in ((LINDE, "Ik kom"), (GGD, "Misschien")):
        await th.teams.execute(th.tid(email), th.cards_with(email, "Uitnodiging:")[0], answer)
    r = await th.say(GGD, "evaluatie start")
    assert "alleen een trekker" in r.text
    r = await th.say(TREKKER, "evaluatie start")
    assert "2 mensen gevraagd" in r.text, r.text
    await th.drain()
    [prompt] = th.cards_with(LINDE, "Hoe was Startbijeenkomst")
    return prompt


async def test_evaluation_form_validation_submit_and_edit(th):
    prompt = await prompted(th)
    assert [a["title"] for a in prompt.card["actions"]] == ["Evaluatie invullen"]
    await th.teams.execute(th.tid(LINDE), prompt, "Evaluatie invullen")
    inputs = {i["id"]: i for i in card_inputs(prompt.card)}
    assert set(inputs) == {"eval_q_waarde", "eval_q_doelen", "eval_q_risico", "eval_q_nodig"}
    assert [c["value"] for c in inputs["eval_q_waarde"]["choices"]] == ["1", "2", "3", "4", "5"]
    assert [c["title"] for c in inputs["eval_q_doelen"]["choices"]] == ["Ja", "Deels", "Nee"]
    assert inputs["eval_q_risico"]["isRequired"] and not inputs["eval_q_nodig"]["isRequired"]

    # Whatever the client let through, the server checks: required, options, length.
    await th.teams.execute(th.tid(LINDE), prompt, "Versturen", {"eval_q_risico": "   "})
    assert prompt.text.count("Deze vraag is verplicht.") >= 3 + 3  # client messages plus the server's under three questions
    await th.teams.execute(th.tid(LINDE), prompt, "Versturen",
                           {"eval_q_waarde": "9", "eval_q_doelen": "1", "eval_q_risico": "x" * 2001})
    assert "Kies een van de mogelijkheden." in prompt.text and "Het mag maximaal 2000 tekens zijn" in prompt.text
    async with th.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(EvaluationResponse))).scalars().all() == []

    # Another person replaying the form is refused.
    r = await th.teams.execute(th.tid(GGD), prompt, "Versturen", {"eval_q_waarde": "5", "eval_q_doelen": "0", "eval_q_risico": "x"})
    assert r.message == "Deze evaluatie is niet voor jou."

    hostile = "*Hitte* in [zorg](https://evil.example) <at>Iedereen</at>"
    await th.teams.execute(th.tid(LINDE), prompt, "Versturen", {"eval_q_waarde": "4", "eval_q_doelen": "1", "eval_q_risico": hostile})
    assert "**Bedankt!**" in prompt.text and [a["title"] for a in prompt.card["actions"]] == ["Antwoorden wijzigen"]
    async with th.ctx.db.sessionmaker() as s:
        [row] = (await s.execute(select(EvaluationResponse))).scalars().all()
    assert row.answers == {"waarde": 4, "doelen": "Deels", "risico": hostile}

    # Change the answers: the form comes back filled in.
    await th.teams.submit(th.tid(LINDE), prompt, "Antwoorden wijzigen")
    inputs = {i["id"]: i for i in card_inputs(prompt.card)}
    assert inputs["eval_q_waarde"]["value"] == "4" and inputs["eval_q_doelen"]["value"] == "1"
    await th.teams.submit(th.tid(LINDE), prompt, "Wijzigingen opslaan", {"eval_q_waarde": "5", "eval_q_doelen": "0", "eval_q_risico": hostile})
    async with th.ctx.db.sessionmaker() as s:
        [row] = (await s.execute(select(EvaluationResponse))).scalars().all()
    assert row.answers["waarde"] == 5 and row.answers["doelen"] == "Ja"

    # Results for the trekker, hostile text escaped.
    r = await th.say(TREKKER, "evaluatie start resultaten")
    await th.drain()
    [results] = th.cards_with(TREKKER, "Resultaten evaluatie")
    assert "Evaluatie: Startbijeenkomst lokaal hitteplan" in results.text
    assert "\\*Hitte\\* in \\[zorg\\]\\(https://evil.example\\) \\<at\\>Iedereen\\</at\\>" in results.text
