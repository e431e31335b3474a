"""Teams end to end: commitment reminders with status buttons and notes (a card form),
authorisation, the "new commitment" form, the overview (``mijn``) and its buttons."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Commitment, CommitmentEvent
from tests.conftest import local
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.server import card_inputs

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"  # owns protocol-linde, due Tuesday 6 April 2027
LINDE_BOARD = "bestuur@delinde.example"  # same organisation, not an ambassador
GGD = "ambassadeur@ggd.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", GGD, LINDE, LINDE_BOARD, "ambassadeur@thuiszorg.example",
            "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]


async def ready(th):
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)


async def reminder(th, email=LINDE):
    th.clock.set(local(2027, 3, 30, 9, 0))  # D-7 for De Linde
    await th.tick()
    cards = th.cards_with(email, "Afspraak van")
    assert cards, [p.text for p in th.chat_with(email)]
    return cards[-1]


async def commitment(th, key: str) -> Commitment:
    async with th.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Commitment).where(Commitment.key == key))).scalar_one()


async def history(th, key: str) -> list[CommitmentEvent]:
    c = await commitment(th, key)
    async with th.ctx.db.sessionmaker() as s:
        return list((await s.execute(select(CommitmentEvent).where(CommitmentEvent.commitment_id == c.id).order_by(CommitmentEvent.id))).scalars())


async def test_reminder_card_with_status_buttons_and_done_in_place(th):
    await ready(th)
    card = await reminder(th)
    assert "Hitteprotocol van De Linde" in card.text and "dinsdag 6 april 2027" in card.text
    titles = [a["title"] for a in card.card["actions"]]
    assert titles == ["Gedaan", "Bezig", "Lukt niet", "Uitstellen", "Niet van toepassing"]
    r = await th.teams.execute(th.tid(LINDE), card, "Gedaan")
    assert r.card is not None and "**Gedaan.** Dank je wel!" in card.text
    assert [a["title"] for a in card.card["actions"]] == ["Toch nog open"]
    assert (await commitment(th, "protocol-linde")).status == "done"
    await th.drain()
    assert th.conn.calls_to("PUT")  # the outbox update reaches the same message
    # No more reminders once done.
    th.clock.set(local(2027, 4, 6, 9, 0))
    await th.tick()
    assert len(th.cards_with(LINDE, "Afspraak van")) == 1


async def test_busy_with_a_note_via_the_card_form_and_hostile_text(th):
    await ready(th)
    card = await reminder(th)
    await th.teams.execute(th.tid(LINDE), card, "Bezig")
    [note] = card_inputs(card.card)
    assert note["id"] == "note" and note["isMultiline"] and note["maxLength"] == 1000
    hostile = "*vet* [klik](https://evil.example) <at>Iedereen</at> _x_"
    await th.teams.execute(th.tid(LINDE), card, "Opslaan", {"note": hostile})
    c = await commitment(th, "protocol-linde")
    assert c.status == "busy" and c.last_note == hostile  # stored intact
    assert "\\*vet\\* \\[klik\\]\\(https://evil.example\\) \\<at\\>Iedereen\\</at\\> \\_x\\_" in card.text
    assert "[klik](" not in card.text


async def test_blocked_needs_a_reason_and_tells_the_trekker(th):
    await ready(th)
    card = await reminder(th)
    await th.teams.execute(th.tid(LINDE), card, "Lukt niet")
    await th.teams.execute(th.tid(LINDE), card, "Opslaan", {"note": "   "})
    assert "Vul hier een korte uitleg in." in card.text
    assert (await commitment(th, "protocol-linde")).status == "open"
    await th.teams.execute(th.tid(LINDE), card, "Opslaan", {"note": "Geen budget dit jaar"})
    assert (await commitment(th, "protocol-linde")).status == "blocked"
    await th.drain()
    told = th.cards_with(TREKKER, "meldt dat een afspraak")
    assert len(told) == 1 and "Geen budget dit jaar" in told[0].text


async def test_not_applicable_too_long_note_then_submit_fallback(th):
    await ready(th)
    card = await reminder(th)
    await th.teams.submit(th.tid(LINDE), card, "Niet van toepassing")
    form = card.card  # replaced in place with PUT
    assert card_inputs(form)[0]["id"] == "note"
    await th.teams.submit(th.tid(LINDE), card, "Opslaan", {"note": "x" * 1001})
    assert "hooguit 1000 tekens" in card.text
    await th.teams.submit(th.tid(LINDE), card, "Opslaan", {"note": "Geen zorglocatie meer"})
    assert (await commitment(th, "protocol-linde")).status == "not_applicable"
    assert "**Niet van toepassing.**" in card.text


async def test_snooze_to_a_date_validated_on_the_server(th):
    await ready(th)
    card = await reminder(th)
    await th.teams.execute(th.tid(LINDE), card, "Uitstellen")
    await th.teams.execute(th.tid(LINDE), card, "Opslaan", {"snooze_choice": "date", "snooze_date": "2027-03-01"})
    assert "Kies een datum in de toekomst." in card.text
    await th.teams.execute(th.tid(LINDE), card, "Opslaan", {"snooze_choice": "date", "snooze_date": "2027-04-15"})
    c = await commitment(th, "protocol-linde")
    assert c.snoozed_until.isoformat() == "2027-04-15"
    assert "Uitgesteld tot:** donderdag 15 april 2027" in card.text


@pytest.mark.parametrize(
    "who,allowed",
    [(LINDE, True), (TREKKER, True), (LINDE_BOARD, False), (GGD, False)],
)
async def test_who_may_change_a_commitment(th, who, allowed):
    await ready(th)
    card = await reminder(th)
    r = await th.teams.execute(th.tid(who), card, "Gedaan")
    c = await commitment(th, "protocol-linde")
    if allowed:
        assert c.status == "done"
    else:
        assert c.status == "open"
        assert r.message.startswith("Sorry, alleen de eigenaar, een ambassadeur van Zorggroep De Linde of een trekker")
        r = await th.teams.execute(th.tid(who), card, "Bezig")  # no form for outsiders either
        assert r.card is None and "Sorry" in r.message


async def test_history_records_who_and_the_note(th):
    await ready(th)
    card = await reminder(th)
    await th.teams.execute(th.tid(LINDE), card, "Bezig")
    await th.teams.execute(th.tid(LINDE), card, "Opslaan", {"note": "Gepland in MT"})
    await th.teams.execute(th.tid(TREKKER), card, "Gedaan")
    events = await history(th, "protocol-linde")
    assert [(e.from_status, e.to_status, e.note) for e in events] == [("open", "busy", "Gepland in MT"), ("busy", "done", None)]


async def test_round_and_add_are_for_trekkers(th):
    await ready(th)
    r = await th.say(GGD, "herinneren afspraken")
    assert "dit mag alleen een trekker" in r.text
    r = await th.say(GGD, "afspraak")
    assert "dit mag alleen een trekker" in r.text
    th.clock.set(local(2027, 3, 1, 10, 0))
    r = await th.say(TREKKER, "herinneren afspraken")
    assert "3 verstuurd" in r.text
    await th.drain()
    assert len(th.cards_with(GGD, "Afspraak van")) == 1


async def test_add_form_validation_and_success(th):
    await ready(th)
    r = await th.say(TREKKER, "afspraak")
    [form] = r.replies
    inputs = {i["id"]: i for i in card_inputs(form.card)}
    assert set(inputs) == {"add_organisation", "add_owner", "add_description", "add_due", "add_phase"}
    linde = next(c["value"] for c in inputs["add_organisation"]["choices"] if c["title"] == "Zorggroep De Linde")
    ggd_owner = next(c["value"] for c in inputs["add_owner"]["choices"] if c["title"].startswith("Ambassadeur GGD"))
    linde_owner = next(c["value"] for c in inputs["add_owner"]["choices"] if c["title"].startswith("Ambassadeur De Linde"))
    # Server-side validation, whatever the client checked: owner of another organisation, empty text, past date.
    await th.teams.execute(th.tid(TREKKER), form, "Vastleggen", {"add_organisation": linde, "add_owner": ggd_owner,
                                                                   "add_description": " ", "add_due": "2027-01-01"})
    assert "hoort niet bij de gekozen organisatie" in form.text
    assert "Beschrijf de afspraak." in form.text and "Kies een datum vandaag of later." in form.text
    # Someone else replays the form: refused.
    r = await th.teams.execute(th.tid(GGD), form, "Vastleggen", {"add_organisation": linde, "add_owner": linde_owner,
                                                                  "add_description": "Iets", "add_due": "2027-05-01"})
    assert "dit mag alleen een trekker" in r.message
    await th.teams.execute(th.tid(TREKKER), form, "Vastleggen", {"add_organisation": linde, "add_owner": linde_owner,
                                                                   "add_description": "Koelte-ruimte inrichten", "add_due": "2027-05-01"})
    assert "Afspraak vastgelegd voor **Zorggroep De Linde**" in form.text
    await th.drain()
    assert any("Koelte-ruimte inrichten" in p.text for p in th.cards_with(LINDE, "Er is een afspraak voor jou"))


async def test_mine_overview_with_buttons_that_refresh_it(th):
    await ready(th)
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    r = await th.say(LINDE, "mijn")
    [overview] = r.replies
    assert "Wat wacht er op jou" in overview.text
    assert "Hitteprotocol van De Linde" in overview.text and "Startbijeenkomst lokaal hitteplan" in overview.text
    await th.teams.execute(th.tid(LINDE), overview, "Ik kom")
    assert "_Komt_" in overview.text
    await th.teams.execute(th.tid(LINDE), overview, "Gedaan")
    assert "Je hebt geen open afspraken." in overview.text
    # The trekker's overview has the trajectory at a glance and the round button.
    r = await th.say(TREKKER, "mijn")
    [glance] = r.replies
    assert "Trekker: Lokaal hitteplan Voorbeeldstad" in glance.text
    await th.teams.execute(th.tid(TREKKER), glance, "Herinneringsronde afspraken")
    assert "Herinneringsronde voor afspraken" in glance.text


async def test_overview_with_many_items_stays_under_the_size_limit(th):
    text = (await _many_commitments())
    await th.import_example(text=text)
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    r = await th.say(LINDE, "mijn")
    [overview] = r.replies  # the fake connector refuses over 28 KB
    assert "En nog 35 afspraken." in overview.text  # 41 open, 6 shown with their buttons


async def _many_commitments() -> str:
    import yaml

    from tests.conftest import example

    data = yaml.safe_load(example("hitteplan.yaml").read_text())
    for n in range(40):
        data["commitments"].append({
            "key": f"extra-{n}", "organisation": "linde", "owner": LINDE,
            "description": f"Extra afspraak {n} " + "met een lange beschrijving " * 8, "due": "2027-06-01", "phase": 2,
        })
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


async def test_escalation_reaches_the_trekker_in_teams(th):
    await ready(th)
    th.clock.set(local(2027, 4, 13, 9, 0))  # De Linde 7 days overdue
    await th.tick()
    [escalation] = th.cards_with(TREKKER, "Afspraken die te lang open staan")
    assert "Zorggroep De Linde" in escalation.text and "Ambassadeur De Linde" in escalation.text
