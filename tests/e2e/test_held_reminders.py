"""A reminder waiting for the working morning is withdrawn when its reason goes away."""

from __future__ import annotations

from tests.conftest import example, local

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"
GGD = "ambassadeur@ggd.example"
HITTEPLAN = example("hitteplan.yaml").read_text()


def invitation_of(h, email):
    return next(m for m in h.emu.dm(h.uid(email)) if (m.text or "").startswith("Uitnodiging"))


def rsvp_reminders(h, email):
    return [m for m in h.emu.dm(h.uid(email)) if "Laat het even weten" in (m.text or "")]


async def test_rsvp_reminder_held_overnight_is_not_sent_after_an_answer(harness):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    h.clock.set(local(2027, 2, 1, 18, 30))  # Monday evening: the reminder waits for Tuesday 08:00
    r = await h.command(TREKKER, "herinneren start")
    assert "buiten werktijd" in h.reply(r)
    await h.drain()
    assert rsvp_reminders(h, LINDE) == []
    h.clock.set(local(2027, 2, 1, 21, 0))
    await h.drv.click(h.uid(LINDE), invitation_of(h, LINDE), text="Ik kom")
    h.clock.set(local(2027, 2, 2, 8, 0))
    await h.tick()
    assert rsvp_reminders(h, LINDE) == []  # answered meanwhile
    assert len(rsvp_reminders(h, GGD)) == 1  # still has not answered


async def test_commitment_reminder_held_over_the_weekend_is_not_sent_once_done(harness):
    h = harness
    await h.import_example(text=HITTEPLAN.replace("due: 2027-04-06", "due: 2027-04-10"))
    h.clock.set(local(2027, 4, 3, 9, 0))  # Saturday: the D-7 reminder waits for Monday 08:00
    await h.tick()
    await h.drv.app_home_opened(h.uid(LINDE))
    await h.drv.click(h.uid(LINDE), h.emu.home(h.uid(LINDE)), action_id="commit_done")
    h.clock.set(local(2027, 4, 5, 8, 0))
    await h.tick()
    assert not [m for m in h.emu.dm(h.uid(LINDE)) if "Afspraak van" in (m.text or "")]
