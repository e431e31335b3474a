"""Anonymity that holds (Teams): three people answer an anonymous form through
/api/messages (the card form); every table, outbox row, the captured log and the raw
SQLite files say nothing about who gave which answer."""

from __future__ import annotations

import logging

from tests.conftest import local
from tests.e2e.anonymity_checks import assert_no_trace_in_files, assert_unlinkable
from tests.e2e.flows import anonymous_hitteplan
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)

TREKKER = "trekker@voorbeeldstad.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", "ambassadeur@ggd.example", "ambassadeur@delinde.example",
            "bestuur@delinde.example", "ambassadeur@thuiszorg.example", "bestuur@thuiszorg.example",
            "ambassadeur@welzijn.example"]
ANSWERS = {
    "ambassadeur@delinde.example": "Teams-Linde-4411",
    "ambassadeur@ggd.example": "Teams-GGD-8823",
    "ambassadeur@welzijn.example": "Teams-Welzijn-3367",
}


async def test_three_anonymous_answers_on_teams_cannot_be_linked(th, caplog):
    await th.import_example(text=anonymous_hitteplan())
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    for email in ANSWERS:
        await th.teams.execute(th.tid(email), th.cards_with(email, "Uitnodiging:")[0], "Ik kom")
    r = await th.say(TREKKER, "evaluatie start")
    assert "3 mensen gevraagd" in r.text, r.text
    await th.drain()

    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for email, text in ANSWERS.items():
        [prompt] = th.cards_with(email, "Hoe was Startbijeenkomst")
        await th.teams.execute(th.tid(email), prompt, "Evaluatie invullen")
        await th.teams.execute(th.tid(email), prompt, "Versturen", {"eval_q_waarde": "4", "eval_q_doelen": "0", "eval_q_risico": text})
        assert "Bedankt" in prompt.text, prompt.text
        th.clock.advance(minutes=5)
    records = list(caplog.records)
    await th.tick()
    await assert_unlinkable(th.ctx, ANSWERS, records)
    assert_no_trace_in_files(th.bot.settings.database_url, ANSWERS)

    r = await th.say(TREKKER, "evaluatie start resultaten")
    await th.drain()
    results = th.cards_with(TREKKER, "Resultaten evaluatie")
    assert results and not any(t in results[-1].text for t in ANSWERS.values()), "nothing while it is open"

    th.clock.set(local(2027, 3, 16, 16, 31))
    await th.tick()
    final = th.cards_with(TREKKER, "Resultaten evaluatie")[-1].text
    assert all(t in final for t in ANSWERS.values())
    await assert_unlinkable(th.ctx, ANSWERS, [])
