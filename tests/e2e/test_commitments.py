"""Commitments end to end: reminders by the clock, buttons, authorisation, Home."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.models import Commitment, CommitmentEvent, OutboxMessage
from bot.services.followthrough import figures
from tests.conftest import example, local

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"  # owns protocol-linde, due Tuesday 6 April 2027
LINDE_BOARD = "bestuur@delinde.example"  # same organisation, not an ambassador
GGD = "ambassadeur@ggd.example"  # owns ggd-advies, due 27 April 2027
HITTEPLAN = example("hitteplan.yaml").read_text()


def reminders_to(h, email: str) -> list:
    return [m for m in h.emu.dm(h.uid(email)) if "Afspraak van" in (m.text or "")]


async def at(h, when) -> None:
    h.clock.set(when)
    await h.tick()


async def commitment(h, key: str) -> Commitment:
    async with h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Commitment).where(Commitment.key == key))).scalar_one()


async def history(h, key: str) -> list[CommitmentEvent]:
    c = await commitment(h, key)
    async with h.ctx.db.sessionmaker() as s:
        return list((await s.execute(select(CommitmentEvent).where(CommitmentEvent.commitment_id == c.id).order_by(CommitmentEvent.id))).scalars())


def all_text(message) -> str:
    parts = [message.text or ""]
    for block in message.blocks or []:
        parts.append(str(block))
    return "\n".join(parts)


async def test_reminder_schedule_across_boundaries(harness):
    h = harness
    await h.import_example()
    await at(h, local(2027, 3, 30, 8, 59))  # one minute before D-7
    assert reminders_to(h, LINDE) == []
    await at(h, local(2027, 3, 30, 9, 0))  # D-7
    assert len(reminders_to(h, LINDE)) == 1
    text = all_text(reminders_to(h, LINDE)[0])
    assert "Hitteprotocol van De Linde" in text and "dinsdag 6 april 2027" in text and "Zorggroep De Linde" in text
    for label in ("Gedaan", "Bezig", "Lukt niet", "Uitstellen", "Niet van toepassing"):
        assert label in text
    await at(h, local(2027, 4, 5, 9, 0))  # nothing on D-1
    assert len(reminders_to(h, LINDE)) == 1
    await at(h, local(2027, 4, 6, 9, 0))  # due date
    assert len(reminders_to(h, LINDE)) == 2
    await at(h, local(2027, 4, 12, 9, 0))  # 6 days overdue: nothing yet
    assert len(reminders_to(h, LINDE)) == 2
    trekker_before = len(h.emu.dm(h.uid(TREKKER)))
    await at(h, local(2027, 4, 13, 9, 0))  # 7 days overdue: reminder and escalation
    assert len(reminders_to(h, LINDE)) == 3
    assert "7 dagen over de datum" in all_text(reminders_to(h, LINDE)[-1])
    escalations = [m for m in h.emu.dm(h.uid(TREKKER))[trekker_before:] if "te lang open" in (m.text or "")]
    assert len(escalations) == 1
    assert "Zorggroep De Linde" in all_text(escalations[0]) and "Ambassadeur De Linde" in all_text(escalations[0])
    await at(h, local(2027, 4, 20, 9, 0))  # every 7 days while overdue; no second escalation
    assert len(reminders_to(h, LINDE)) == 4
    assert len([m for m in h.emu.dm(h.uid(TREKKER)) if "te lang open" in (m.text or "")]) == 1


async def test_escalation_groups_several_overdue_commitments_in_one_message(harness):
    h = harness
    text = HITTEPLAN.replace("due: 2027-04-27", "due: 2027-04-06")  # GGD due the same day as De Linde
    await h.import_example(text=text)
    await at(h, local(2027, 4, 13, 9, 0))
    escalations = [m for m in h.emu.dm(h.uid(TREKKER)) if "te lang open" in (m.text or "")]
    assert len(escalations) == 1
    body = all_text(escalations[0])
    assert "GGD Regio Voorbeeld" in body and "Zorggroep De Linde" in body


async def test_quiet_hours_move_a_saturday_reminder_to_monday_morning(harness):
    h = harness
    await h.import_example(text=HITTEPLAN.replace("due: 2027-04-06", "due: 2027-04-10"))  # a Saturday
    await at(h, local(2027, 4, 3, 9, 0))  # D-7 is a Saturday too
    assert reminders_to(h, LINDE) == []
    await at(h, local(2027, 4, 5, 7, 59))
    assert reminders_to(h, LINDE) == []
    await at(h, local(2027, 4, 5, 8, 0))
    assert len(reminders_to(h, LINDE)) == 1


async def test_at_most_once_a_day_under_repeated_sweeps_and_manual_rounds(harness):
    h = harness
    await h.import_example()
    await at(h, local(2027, 3, 30, 9, 0))
    for _ in range(5):
        await h.tick()
    assert len(reminders_to(h, LINDE)) == 1
    r = await h.command(TREKKER, "herinneren afspraken")
    assert "2 verstuurd" in h.reply(r)  # the two others, not De Linde again
    assert "1 al vandaag herinnerd" in h.reply(r)
    await h.drain()
    r = await h.command(TREKKER, "remind commitments")
    assert "0 verstuurd" in h.reply(r)
    await h.drain()
    assert len(reminders_to(h, LINDE)) == 1
    assert len(reminders_to(h, GGD)) == 1
    h.clock.advance(days=1)
    r = await h.command(TREKKER, "herinneren afspraken")
    assert "3 verstuurd" in h.reply(r)


async def test_reminder_round_is_for_trekkers_only(harness):
    h = harness
    await h.import_example()
    r = await h.command(LINDE, "herinneren afspraken")
    assert "alleen een trekker" in h.reply(r)
    await h.drain()
    assert reminders_to(h, LINDE) == []


async def remind_linde(h):
    await h.import_example()
    await at(h, local(2027, 3, 30, 9, 0))
    return reminders_to(h, LINDE)[-1]


async def test_done_button_updates_in_place_and_stops_reminders(harness):
    h = harness
    message = await remind_linde(h)
    r = await h.drv.click(h.uid(LINDE), message, text="Gedaan")
    assert r.status == 200
    await h.drain()
    updated = h.emu.message(message.channel, message.ts)
    assert len(updated.versions) >= 2 and "Dank je wel" in all_text(updated)
    assert "Toch nog open" in all_text(updated)
    await at(h, local(2027, 4, 6, 9, 0))
    await at(h, local(2027, 4, 13, 9, 0))
    assert len(reminders_to(h, LINDE)) == 1
    assert not [m for m in h.emu.dm(h.uid(TREKKER)) if "te lang open" in (m.text or "")]
    events = await history(h, "protocol-linde")
    assert [(e.from_status, e.to_status) for e in events] == [("open", "done")]
    figs = {f.organisation: f for f in (await _figures(h)).organisations}
    assert figs["Zorggroep De Linde"].done_on_time == 1


async def _figures(h):
    c = await commitment(h, "protocol-linde")
    async with h.ctx.db.sessionmaker() as s:
        return await figures(s, c.trajectory_id, h.clock.now().astimezone(local(2027, 1, 1).tzinfo).date(), "Europe/Amsterdam")


async def test_busy_with_a_note_and_hostile_text_is_escaped_but_stored_intact(harness):
    h = harness
    message = await remind_linde(h)
    await h.drv.click(h.uid(LINDE), message, text="Bezig")
    assert h.emu.open_views(h.uid(LINDE))[-1]["callback_id"] == "commitment_status_modal"
    hostile = 'MT op <!channel> & <@U123> "morgen" <https://evil.example|klik>'
    r = await h.drv.submit_view(h.uid(LINDE), values={"note": hostile})
    assert r.status == 200 and not r.body_text
    await h.drain()
    updated = h.emu.message(message.channel, message.ts)
    text = all_text(updated)
    assert "&lt;!channel&gt;" in text and "&lt;@U123&gt;" in text and "&amp;" in text
    assert "<!channel>" not in text and "<@U123>" not in text and "<https://evil" not in text
    c = await commitment(h, "protocol-linde")
    assert c.status == "busy" and c.last_note == hostile
    events = await history(h, "protocol-linde")
    assert events[-1].note == hostile and events[-1].to_status == "busy"


async def test_blocked_needs_a_reason_and_tells_the_trekker_at_once(harness):
    h = harness
    message = await remind_linde(h)
    await h.drv.click(h.uid(LINDE), message, text="Lukt niet")
    r = await h.drv.submit_view(h.uid(LINDE), values={"note": "   "})
    assert r.json["response_action"] == "errors" and "note_block" in r.json["errors"]
    assert (await commitment(h, "protocol-linde")).status == "open"
    r = await h.drv.submit_view(h.uid(LINDE), values={"note": "Geen budget dit jaar"})
    assert r.status == 200 and not r.body_text
    await h.drain()
    told = [m for m in h.emu.dm(h.uid(TREKKER)) if "niet lukt" in (m.text or "")]
    assert len(told) == 1 and "Geen budget dit jaar" in all_text(told[0])
    assert (await commitment(h, "protocol-linde")).status == "blocked"


async def test_not_applicable_needs_a_reason_and_stops_reminders(harness):
    h = harness
    message = await remind_linde(h)
    await h.drv.click(h.uid(LINDE), message, text="Niet van toepassing")
    r = await h.drv.submit_view(h.uid(LINDE), values={"note": "x" * 1001})
    assert r.json["response_action"] == "errors"
    r = await h.drv.submit_view(h.uid(LINDE), values={"note": "Geen zorglocatie meer"})
    assert r.status == 200
    await at(h, local(2027, 4, 6, 9, 0))
    assert len(reminders_to(h, LINDE)) == 1
    assert (await commitment(h, "protocol-linde")).status == "not_applicable"


async def test_snooze_a_week_and_come_back(harness):
    h = harness
    message = await remind_linde(h)  # Tuesday 30 March
    await h.drv.click(h.uid(LINDE), message, text="Uitstellen")
    r = await h.drv.submit_view(h.uid(LINDE), values={"snooze_choice": "week"})
    assert r.status == 200 and not r.body_text
    assert (await commitment(h, "protocol-linde")).snoozed_until == date(2027, 4, 6)
    await at(h, local(2027, 4, 5, 9, 0))
    assert len(reminders_to(h, LINDE)) == 1
    await at(h, local(2027, 4, 6, 9, 0))  # comes back on its date
    assert len(reminders_to(h, LINDE)) == 2


async def test_snooze_to_a_date_skips_overdue_reminders_until_then(harness):
    h = harness
    message = await remind_linde(h)
    await h.drv.click(h.uid(LINDE), message, text="Uitstellen")
    r = await h.drv.submit_view(h.uid(LINDE), values={"snooze_choice": "date", "snooze_date": "2027-03-01"})
    assert r.json["response_action"] == "errors" and "snooze_date_block" in r.json["errors"]
    r = await h.drv.submit_view(h.uid(LINDE), values={"snooze_choice": "date", "snooze_date": "2027-04-15"})
    assert r.status == 200 and not r.body_text
    for day in (6, 13):
        await at(h, local(2027, 4, day, 9, 0))
    assert len(reminders_to(h, LINDE)) == 1
    assert not [m for m in h.emu.dm(h.uid(TREKKER)) if "te lang open" in (m.text or "")]
    await at(h, local(2027, 4, 15, 9, 0))
    assert len(reminders_to(h, LINDE)) == 2


@pytest.mark.parametrize(
    "who, allowed",
    [(LINDE, True), (TREKKER, True), (LINDE_BOARD, False), (GGD, False), ("second@delinde.example", True)],
)
async def test_who_may_change_a_commitment(harness, who, allowed):
    h = harness
    extra = "  - {name: Tweede Ambassadeur, email: second@delinde.example, organisation: linde, roles: [ambassadeur]}\n"
    text = HITTEPLAN.replace("\nsessions:", "\n" + extra + "\nsessions:", 1)
    h.users["second@delinde.example"] = "U9999"
    h.emu.add_user("U9999", "second@delinde.example", "Tweede Ambassadeur")
    await h.import_example(text=text)
    await at(h, local(2027, 3, 30, 9, 0))
    message = reminders_to(h, LINDE)[-1]
    r = await h.drv.click(h.uid(who), message, text="Gedaan")
    assert r.status == 200
    await h.drain()
    c = await commitment(h, "protocol-linde")
    if allowed:
        assert c.status == "done"
        events = await history(h, "protocol-linde")
        assert len(events) == 1
    else:
        assert c.status == "open"
        assert await history(h, "protocol-linde") == []
        refusals = [e for e in h.emu.ephemerals(h.uid(who))] + [r for r in h.emu.responses() if "alleen de eigenaar" in r.get("text", "")]
        assert any("alleen de eigenaar" in str(x) for x in refusals)
        assert len(h.emu.message(message.channel, message.ts).versions) == 1


async def test_history_records_who_when_from_to_and_note(harness):
    h = harness
    message = await remind_linde(h)
    await h.drv.click(h.uid(LINDE), message, text="Bezig")
    await h.drv.submit_view(h.uid(LINDE), values={"note": "Gepland in MT"})
    h.clock.advance(hours=2)
    await h.drv.click(h.uid(TREKKER), message, text="Gedaan")
    events = await history(h, "protocol-linde")
    assert [(e.from_status, e.to_status, e.note) for e in events] == [("open", "busy", "Gepland in MT"), ("busy", "done", None)]
    assert events[1].at > events[0].at
    owners = {e.actor_id for e in events}
    assert len(owners) == 2


async def open_add_modal(h):
    await h.import_example()
    r = await h.command(TREKKER, "afspraak")
    view = h.emu.open_views(h.uid(TREKKER))[-1]
    assert view["callback_id"] == "commitment_add_modal"
    return view


async def test_add_modal_validation_errors_and_success(harness):
    h = harness
    view = await open_add_modal(h)
    # owner from another organisation, empty description, date in the past
    r = await h.drv.submit_view(
        h.uid(TREKKER),
        view,
        values={"add_org": "Zorggroep De Linde", "add_owner": "Ambassadeur GGD", "add_desc": " ", "add_due": "2027-01-01", "add_phase": "Fase 2"},
    )
    errors = r.json["errors"]
    assert r.json["response_action"] == "errors"
    assert set(errors) == {"add_owner_block", "add_desc_block", "add_due_block"}
    assert "organisatie" in errors["add_owner_block"]
    hostile = "Koelplan <!here> delen & <https://evil.example|hier>"
    r = await h.drv.submit_view(
        h.uid(TREKKER),
        view,
        values={"add_org": "Zorggroep De Linde", "add_owner": "Ambassadeur De Linde", "add_desc": hostile, "add_due": "2027-05-01", "add_phase": "Fase 2"},
    )
    assert r.json["response_action"] == "update"
    await h.drain()
    new = [m for m in h.emu.dm(h.uid(LINDE)) if "afspraak voor jou" in all_text(m)]
    assert len(new) == 1
    assert "&lt;!here&gt;" in all_text(new[0]) and "<!here>" not in all_text(new[0])
    async with h.ctx.db.sessionmaker() as s:
        stored = (await s.execute(select(Commitment).where(Commitment.source == "chat"))).scalar_one()
    assert stored.description == hostile and stored.due == date(2027, 5, 1)


async def test_add_is_for_trekkers_only(harness):
    h = harness
    await h.import_example()
    r = await h.command(LINDE, "commitment")
    assert "alleen een trekker" in h.reply(r)
    assert h.emu.open_views(h.uid(LINDE)) == []


def hundreds_of_commitments(count: int) -> str:
    lines = ["commitments:"]
    for n in range(count):
        lines.append(
            f"  - {{key: c{n}, organisation: linde, owner: {LINDE}, description: 'Afspraak nummer {n} <!channel>', due: 2027-05-{(n % 28) + 1:02d}, phase: 2}}"
        )
    head, _, tail = HITTEPLAN.partition("commitments:")
    _, _, forms = tail.partition("evaluation_forms:")
    return head + "\n".join(lines) + "\n\nevaluation_forms:" + forms


@pytest.mark.parametrize("count", [0, 1, 300])
async def test_home_view_stays_within_100_blocks(harness, count):
    h = harness
    await h.import_example(text=hundreds_of_commitments(count) if count else HITTEPLAN.partition("commitments:")[0] + "evaluation_forms:" + HITTEPLAN.partition("evaluation_forms:")[2])
    for email in (LINDE, TREKKER):
        r = await h.drv.app_home_opened(h.uid(email))
        assert r.status == 200
        home = h.emu.home(h.uid(email))
        assert home is not None, h.emu.calls_to("views.publish")[-1].response
        assert len(home["blocks"]) <= 100
    linde_home = str(h.emu.home(h.uid(LINDE))["blocks"])
    if count == 0:
        assert "geen open afspraken" in linde_home
    if count == 1:
        assert "Afspraak nummer 0" in linde_home and "commit_done" in linde_home
    if count == 300:
        assert "En nog" in linde_home and "<!channel>" not in linde_home
        assert "Afspraken per organisatie" in str(h.emu.home(h.uid(TREKKER))["blocks"])
    r = await h.command(LINDE, "mijn")
    response = h.emu.responses(r.response_url)[-1]
    assert len(response["blocks"]) <= 50


async def test_home_buttons_change_status_and_republish(harness):
    h = harness
    await h.import_example()
    await h.drv.app_home_opened(h.uid(LINDE))
    home = h.emu.home(h.uid(LINDE))
    r = await h.drv.click(h.uid(LINDE), home, action_id="commit_done")
    assert r.status == 200
    assert (await commitment(h, "protocol-linde")).status == "done"
    assert "geen open afspraken" in str(h.emu.home(h.uid(LINDE))["blocks"])


async def test_trekker_home_round_button(harness):
    h = harness
    await h.import_example()
    await h.drv.app_home_opened(h.uid(TREKKER))
    r = await h.drv.click(h.uid(TREKKER), h.emu.home(h.uid(TREKKER)), action_id="commit_round")
    assert r.status == 200
    assert "3 verstuurd" in str(h.emu.home(h.uid(TREKKER))["blocks"])
    await h.drain()
    assert len(reminders_to(h, LINDE)) == 1
