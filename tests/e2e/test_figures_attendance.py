"""Issue 12, point 3: who came, not who said yes.  After the session the trekker gets
"Wie was er?" (Slack: a modal from the message's button; Teams: a card form),
pre-filled with the yes-sayers; the answer writes ``Invitation.attended`` and the
evaluation goes to those marked present.  Without an answer: yes/maybe as before.
Attendance counts appear in the summary and the export."""

from __future__ import annotations

from tests.conftest import local
from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    AMB_THUISZORG,
    AMB_WELZIJN,
    TREKKER,
    bot_messages,
    full_text,
    harness_env,
    invitation_of,
    run_cli,
)
from tests.e2e.flows import PROMPT_AT, invite_and_answer, prompts_to
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.harness import CHANNEL

ENDS = local(2027, 3, 9, 16, 30)
ANSWERS = {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom", AMB_THUISZORG: "Misschien", AMB_WELZIJN: "Ik kan niet"}
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", AMB_GGD, AMB_LINDE, "bestuur@delinde.example", AMB_THUISZORG,
            "bestuur@thuiszorg.example", AMB_WELZIJN]


def asked(h) -> list:
    return [m for m in bot_messages(h.emu, h.uid(TREKKER)) if (m.text or "").startswith("Wie was er bij")]


async def test_slack_who_came_decides_who_is_evaluated(harness, tmp_path):
    h = harness
    await h.import_example()
    await invite_and_answer(h, ANSWERS)
    h.clock.set(local(2027, 3, 9, 16, 29))
    await h.tick()
    assert asked(h) == []
    h.clock.set(ENDS)
    await h.tick()
    [question] = asked(h)
    assert "Startbijeenkomst lokaal hitteplan" in full_text(question)
    await h.drv.click(h.uid(TREKKER), question, text="Aanwezigen invullen")
    view = h.emu.open_views(h.uid(TREKKER))[-1]
    assert view["callback_id"] == "attendance_modal"
    [element] = [b["element"] for b in view["blocks"] if b.get("type") == "input"]
    ticked = sorted(o["text"]["text"] for o in element["initial_options"])
    assert ticked == ["Ambassadeur De Linde (Zorggroep De Linde)", "Ambassadeur GGD (GGD Regio Voorbeeld)"]  # who said yes
    # GGD did not come after all; Welzijn, who said no, did.
    r = await h.drv.submit_view(h.uid(TREKKER), view, values={"attend_people": [
        "Ambassadeur De Linde (Zorggroep De Linde)", "Ambassadeur Welzijn (Stichting Welzijn Voorbeeldstad)"]})
    assert r.json["response_action"] == "update" and "2 van de 6 genodigden" in str(r.json["view"])
    assert (await invitation_of(h, "start", AMB_WELZIJN)).attended is True
    assert (await invitation_of(h, "start", AMB_GGD)).attended is False
    h.clock.set(PROMPT_AT)
    await h.tick()
    assert [e for e in (AMB_LINDE, AMB_GGD, AMB_THUISZORG, AMB_WELZIJN) if prompts_to(h, e)] == [AMB_LINDE, AMB_WELZIJN]
    assert "Opgeslagen: 2 van de 6 genodigden waren er." in full_text(h.emu.message(question.channel, question.ts))
    await h.command(TREKKER, "status")
    await h.drain()
    post = [m for m in h.emu.messages("#hitteplan") if (m.text or "").startswith("Stand van zaken")][-1]
    assert "*Aanwezig:* Startbijeenkomst lokaal hitteplan: 2 van 6 genodigden" in full_text(post)
    r = await h.command(TREKKER, "status start")
    assert "Aanwezig volgens de trekker:* 2 van de 6 genodigden." in h.reply(r) or any(
        "2 van de 6 genodigden" in str(x) for x in h.emu.responses(r.response_url))
    result = await run_cli("export", "evaluations", "--session", "start", "--output", str(tmp_path / "e.csv"), env=harness_env(h), cwd=tmp_path)
    assert result.code == 0, result.both
    assert "Aanwezig volgens de trekker: 2 van de 6 genodigden." in result.out


async def test_slack_without_an_answer_yes_and_maybe_and_a_late_answer_adds_prompts(harness):
    h = harness
    await h.import_example()
    await invite_and_answer(h, ANSWERS)
    h.clock.set(PROMPT_AT)
    await h.tick()
    assert asked(h)
    assert [e for e in (AMB_LINDE, AMB_GGD, AMB_THUISZORG, AMB_WELZIJN) if prompts_to(h, e)] == [AMB_LINDE, AMB_GGD, AMB_THUISZORG]
    await h.drv.click(h.uid(TREKKER), asked(h)[0], text="Aanwezigen invullen")
    r = await h.drv.submit_view(h.uid(TREKKER), h.emu.open_views(h.uid(TREKKER))[-1], values={"attend_people": [
        "Ambassadeur De Linde (Zorggroep De Linde)", "Ambassadeur Welzijn (Stichting Welzijn Voorbeeldstad)"]})
    assert "1 van hen krijgt nu ook de evaluatie" in str(r.json["view"])
    await h.drain()
    assert prompts_to(h, AMB_WELZIJN) and prompts_to(h, AMB_GGD)  # nobody's prompt is taken back


async def test_slack_only_a_trekker_may_say_who_came(harness):
    h = harness
    await h.import_example()
    await invite_and_answer(h, ANSWERS)
    h.clock.set(ENDS)
    await h.tick()
    [question] = asked(h)
    r = await h.drv.click(h.uid(AMB_LINDE), question, text="Aanwezigen invullen")
    assert r.status == 200 and h.emu.open_views(h.uid(AMB_LINDE)) == []
    assert (await invitation_of(h, "start", AMB_LINDE)).attended is None


async def test_teams_who_came_card_form(th):
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    for email, answer in ANSWERS.items():
        await th.teams.execute(th.tid(email), th.cards_with(email, "Uitnodiging:")[0], answer)
    th.clock.set(ENDS)
    await th.tick()
    [question] = th.cards_with(TREKKER, "Wie was er?")
    r = await th.teams.execute(th.tid(AMB_GGD), question, "Aanwezigen invullen")
    assert "alleen een trekker" in (r.message or "")
    await th.teams.execute(th.tid(TREKKER), question, "Aanwezigen invullen")
    [people] = [i for i in question.card["body"] if i.get("id") == "attend_people"]
    ids = {c["title"]: c["value"] for c in people["choices"]}
    assert sorted(people["value"].split(",")) == sorted([ids["Ambassadeur De Linde (Zorggroep De Linde)"], ids["Ambassadeur GGD (GGD Regio Voorbeeld)"]])
    await th.teams.execute(th.tid(TREKKER), question, "Opslaan", {"attend_people": "999999"})
    assert "Kies alleen mensen die waren uitgenodigd." in question.text
    chosen = ",".join([ids["Ambassadeur De Linde (Zorggroep De Linde)"], ids["Ambassadeur Welzijn (Stichting Welzijn Voorbeeldstad)"]])
    await th.teams.execute(th.tid(TREKKER), question, "Opslaan", {"attend_people": chosen})
    assert "2 van de 6 genodigden waren er" in question.text
    th.clock.set(PROMPT_AT)
    await th.tick()
    prompted = [e for e in (AMB_LINDE, AMB_GGD, AMB_THUISZORG, AMB_WELZIJN) if th.cards_with(e, "Hoe was Startbijeenkomst")]
    assert prompted == [AMB_LINDE, AMB_WELZIJN]
    await th.say(TREKKER, "status")
    await th.drain()
    post = [p for p in th.conn.in_conversation(CHANNEL) if p.thread is None and "Stand van zaken" in p.text][-1]
    assert "Startbijeenkomst lokaal hitteplan: 2 van 6 genodigden" in post.text
