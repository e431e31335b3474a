"""Issue 12, point 6: Dutch working days.  Every message waits for the sending window,
"lukt niet" alerts and sign-off questions included; Dutch public holidays are closed;
the dispatcher checks the window again at send time, so a backlog never goes out after
hours.  Slack and Teams."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import OutboxMessage
from tests.conftest import local
from tests.e2e.conftest import full_text, invitations_to
from tests.e2e.test_signoff import requests_to, start_round
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"
LINDE_BOARD = "bestuur@delinde.example"
GGD = "ambassadeur@ggd.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", GGD, LINDE, LINDE_BOARD, "ambassadeur@thuiszorg.example",
            "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]


def told_blocked(h) -> list:
    return [m for m in h.emu.dm(h.uid(TREKKER)) if "niet lukt" in (m.text or "")]


async def test_slack_lukt_niet_at_night_reaches_the_trekker_the_next_working_morning(harness):
    h = harness
    await h.import_example()
    h.clock.set(local(2027, 3, 30, 9, 0))  # protocol-linde's reminder
    await h.tick()
    reminder = next(m for m in h.emu.dm(h.uid(LINDE)) if "Hitteprotocol" in full_text(m))
    h.clock.set(local(2027, 3, 30, 21, 0))
    await h.drv.click(h.uid(LINDE), reminder, text="Lukt niet")
    r = await h.drv.submit_view(h.uid(LINDE), values={"note": "Geen budget dit jaar"})
    assert r.status == 200
    await h.tick()
    assert told_blocked(h) == []
    assert "Lukt niet" in full_text(h.emu.message(reminder.channel, reminder.ts))  # her own message: updated at once
    await h.run_until(local(2027, 3, 31, 7, 59))
    assert told_blocked(h) == []
    await h.run_until(local(2027, 3, 31, 8, 0))
    assert len(told_blocked(h)) == 1


async def test_slack_signoff_question_on_koningsdag_waits_for_the_next_working_day(harness):
    h = harness
    await start_round(h, organisations=("Zorggroep De Linde",), deadline="2027-05-31")
    h.clock.set(local(2027, 4, 27, 11, 0))  # Koningsdag, a Tuesday
    await h.drv.click(h.uid(LINDE_BOARD), requests_to(h, LINDE_BOARD)[0], text="Vraag stellen")
    r = await h.drv.submit_view(h.uid(LINDE_BOARD), h.emu.open_views(h.uid(LINDE_BOARD))[-1], values={"note": "Wat kost het?"})
    assert r.status == 200
    asked = lambda: [m for m in h.emu.dm(h.uid(TREKKER)) if "Wat kost het?" in full_text(m)]  # noqa: E731
    await h.run_until(local(2027, 4, 28, 7, 0))
    assert asked() == []
    await h.run_until(local(2027, 4, 28, 8, 0))
    assert len(asked()) == 1


async def test_slack_backlog_is_held_at_send_time_after_hours(harness):
    h = harness
    await h.import_example()
    h.clock.set(local(2027, 2, 1, 17, 55))
    await h.command(TREKKER, "uitnodigen start")  # queued for now: the window is open
    h.clock.set(local(2027, 2, 1, 18, 30))  # the dispatcher gets to them only now
    await h.drain()
    assert invitations_to(h.emu, h.uid(LINDE)) == []
    async with h.ctx.db.sessionmaker() as s:
        held = (await s.execute(select(OutboxMessage).where(OutboxMessage.template == "invitation"))).scalars().all()
    assert held and all(r.status == "pending" and r.last_error == "quiet_hours" and r.attempts == 0 for r in held)
    assert {r.not_before for r in held} == {local(2027, 2, 2, 8, 0)}
    h.clock.set(local(2027, 2, 2, 8, 0))
    await h.drain()
    assert len(invitations_to(h.emu, h.uid(LINDE))) == 1


async def test_teams_lukt_niet_at_night_waits_and_holidays_are_closed(th):
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    th.clock.set(local(2027, 5, 5, 9, 0))  # Wednesday; Hemelvaart is Thursday 6 May
    await th.say(TREKKER, "herinneren afspraken")
    await th.drain()
    [card] = th.cards_with(LINDE, "Hitteprotocol")
    th.clock.set(local(2027, 5, 5, 20, 0))
    await th.teams.execute(th.tid(LINDE), card, "Lukt niet")
    await th.teams.execute(th.tid(LINDE), card, "Opslaan", {"note": "Geen budget dit jaar"})
    while th.clock.now() < local(2027, 5, 7, 7, 0):  # through Hemelvaart (Thursday), hour by hour
        await th.tick(hours=1)
    assert th.cards_with(TREKKER, "meldt dat een afspraak") == []
    th.clock.set(local(2027, 5, 7, 8, 0))
    await th.tick()
    assert len(th.cards_with(TREKKER, "meldt dat een afspraak")) == 1
