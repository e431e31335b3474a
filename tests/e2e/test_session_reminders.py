"""Reminders about sessions, driven by moving the clock across their boundaries.

The session `start` of the heat plan is on Tuesday 9 March 2027, 14:00 (CET):
7 days before is Tuesday 2 March 14:00 (a working hour), 2 days before is Sunday
7 March 14:00 (quiet: it waits for Monday 8 March 08:00), and the working day before
is Monday 8 March. A variant session on Monday 15 March 10:00 has its attendee reminder
on Friday 12 March and its 2-day reminder on Saturday 13 March (-> Monday 08:00).
"""

from __future__ import annotations

from tests.conftest import local
from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    AMB_THUISZORG,
    AMB_WELZIJN,
    BESTUUR_LINDE,
    BESTUUR_THUISZORG,
    COLLEGA,
    START_INVITEES,
    TREKKER,
    button_labels,
    dump,
    example_data,
    full_text,
    invitation_of,
    invitations_to,
    messages_containing,
    reply_text,
    without_pacing,
)

RSVP_REMINDER = "we hebben nog geen antwoord van je"
ATTENDEE_REMINDER = "tot dinsdag 9 maart 2027"
PENDING = [TREKKER, COLLEGA, AMB_WELZIJN]
ANSWERED = [AMB_LINDE, AMB_THUISZORG, AMB_GGD]


async def answer(h, email: str, label: str, session_header: str | None = None) -> None:
    invitations = invitations_to(h.emu, h.uid(email))
    if session_header:
        invitations = [m for m in invitations if session_header in full_text(m)]
    [message] = invitations
    r = await h.drv.click(h.uid(email), message, text=label)
    assert r.status == 200


def rsvp_reminders(h, email: str, title: str = "Startbijeenkomst lokaal hitteplan") -> list:
    return [m for m in messages_containing(h.emu, h.uid(email), RSVP_REMINDER) if title in full_text(m)]


def reminder_counts(h, emails, title: str = "Startbijeenkomst lokaal hitteplan") -> dict[str, int]:
    return {email: len(rsvp_reminders(h, email, title)) for email in emails}


def total_posts(h) -> int:
    return len(h.emu.calls_to("chat.postMessage")) + len(h.emu.calls_to("files.completeUploadExternal"))


async def invited_with_answers(h) -> None:
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    await answer(h, AMB_LINDE, "Ik kom")
    await answer(h, AMB_THUISZORG, "Misschien")
    await answer(h, AMB_GGD, "Ik kan niet")
    await h.drain()


async def test_non_responders_are_reminded_7_and_2_days_before_and_attendees_the_day_before(harness):
    h = harness
    without_pacing(h)
    await invited_with_answers(h)
    everyone = START_INVITEES

    h.clock.set(local(2027, 3, 2, 13, 59))
    await h.tick()
    assert reminder_counts(h, everyone) == dict.fromkeys(everyone, 0)

    # 7 days before, in working hours: one reminder for each person who has not answered.
    h.clock.set(local(2027, 3, 2, 14, 0))
    await h.tick()
    assert reminder_counts(h, everyone) == {**dict.fromkeys(PENDING, 1), **dict.fromkeys(ANSWERED, 0)}
    [reminder] = rsvp_reminders(h, COLLEGA)
    text = full_text(reminder)
    assert "Hallo Collega Gemeente" in text
    assert "*Startbijeenkomst lokaal hitteplan* (dinsdag 9 maart 2027, 14:00-16:30)" in text
    assert "Zorgcentrum De Linde, grote zaal" in text
    assert button_labels(reminder)[:4] == ["Ik kom", "Ik kan niet", "Misschien", "Ik stuur een collega"]

    # Sweeping again and again at the same moment sends nothing twice.
    for _ in range(10):
        await h.tick()
    assert reminder_counts(h, everyone) == {**dict.fromkeys(PENDING, 1), **dict.fromkeys(ANSWERED, 0)}

    # Someone answers in the meantime: no second reminder for them.
    await answer(h, AMB_WELZIJN, "Ik kan niet")
    await h.drain()
    still_pending = [TREKKER, COLLEGA]

    # 2 days before is Sunday 7 March 14:00: quiet, it waits for Monday 08:00.
    posts = total_posts(h)
    for moment in (local(2027, 3, 7, 14, 0), local(2027, 3, 7, 23, 0), local(2027, 3, 8, 7, 59)):
        h.clock.set(moment)
        await h.tick()
    assert total_posts(h) == posts
    h.clock.set(local(2027, 3, 8, 8, 0))
    await h.tick()
    assert reminder_counts(h, everyone) == {
        **dict.fromkeys(still_pending, 2), AMB_WELZIJN: 1, **dict.fromkeys(ANSWERED, 0)}

    # The working day before (Monday 8 March, 10:00): those coming or maybe coming.
    h.clock.set(local(2027, 3, 8, 9, 59))
    await h.tick()
    assert all(messages_containing(h.emu, h.uid(e), ATTENDEE_REMINDER) == [] for e in everyone)
    h.clock.set(local(2027, 3, 8, 10, 0))
    await h.tick()
    for _ in range(5):
        await h.tick()
    for email in (AMB_LINDE, AMB_THUISZORG):
        [reminder] = messages_containing(h.emu, h.uid(email), ATTENDEE_REMINDER)
        text = full_text(reminder)
        assert "*Startbijeenkomst lokaal hitteplan* begint dinsdag 9 maart 2027, 14:00-16:30" in text
        assert "*Waar:* Zorgcentrum De Linde, grote zaal" in text
        assert "Presentatie van een ervaringsdeskundige" in text  # the agenda
    for email in (AMB_GGD, AMB_WELZIJN, TREKKER, COLLEGA):
        assert messages_containing(h.emu, h.uid(email), ATTENDEE_REMINDER) == []

    # After the session no more reminders about it.
    h.clock.set(local(2027, 3, 10, 9, 0))
    await h.tick()
    assert reminder_counts(h, everyone) == {
        **dict.fromkeys(still_pending, 2), AMB_WELZIJN: 1, **dict.fromkeys(ANSWERED, 0)}
    assert [len(messages_containing(h.emu, h.uid(e), ATTENDEE_REMINDER)) for e in everyone] == [0, 0, 0, 1, 1, 0]


def monday_variant() -> str:
    data = example_data()
    data["sessions"].append({
        "key": "maandag",
        "title": "Maandagoverleg hitte",
        "phase": 2,
        "starts": "2027-03-15 10:00",
        "ends": "2027-03-15 12:00",
        "location": "Stadhuis, kamer 3",
        "agenda": "Hitteprotocol doorlopen.",
        "invite": {"roles": ["bestuurder"], "people": [TREKKER]},
    })
    return dump(data)


def in_working_hours(h) -> bool:
    local_now = h.clock.now().astimezone(local(2027, 1, 1).tzinfo)
    return local_now.weekday() < 5 and 8 <= local_now.hour < 18


async def test_monday_session_friday_reminder_and_saturday_reminder_waits_for_monday_morning(harness):
    h = harness
    without_pacing(h)
    await h.import_example(text=monday_variant())
    r = await h.command(TREKKER, "uitnodigen maandag")
    assert "3 nieuw verstuurd" in reply_text(h, r)
    await h.drain()
    await answer(h, BESTUUR_LINDE, "Ik kom")
    await answer(h, TREKKER, "Misschien")
    await h.drain()
    title = "Maandagoverleg hitte"
    attendee_text = "tot maandag 15 maart 2027"

    def about_the_session() -> int:  # the trekker's "Wie was er?" after the session aside
        return sum(len([m for m in messages_containing(h.emu, h.uid(e), title) if not (m.text or "").startswith("Wie was er")])
                   for e in invitees)

    # Walk the clock in steps of two hours (on the even hours: 08:00, 10:00, ...) from
    # Friday 5 March to the session, sweeping and sending at every step like the
    # scheduler: nothing at all may go out in quiet hours.
    invitees = [TREKKER, BESTUUR_LINDE, BESTUUR_THUISZORG]
    h.clock.set(local(2027, 3, 5, 8, 0))
    seen: list[tuple[str, int]] = []
    while h.clock.now() < local(2027, 3, 15, 12, 0):
        before, before_session = total_posts(h), about_the_session()
        await h.tick(hours=2)
        sent = total_posts(h) - before
        if about_the_session() > before_session:
            moment = h.clock.now().astimezone(local(2027, 1, 1).tzinfo).strftime("%a %d %H:%M")
            seen.append((moment, about_the_session() - before_session))
        if not in_working_hours(h):
            assert sent == 0, f"sent {sent} message(s) in quiet hours at {h.clock.now()}"

    # The 7-day reminder (Monday 8 March 10:00) and the 2-day one (Saturday 13 March 10:00,
    # sent on Monday 15 March at 08:00), only to the one who did not answer.
    assert seen == [("Mon 08 10:00", 1), ("Fri 12 10:00", 2), ("Mon 15 08:00", 1)]
    assert reminder_counts(h, [BESTUUR_THUISZORG], title) == {BESTUUR_THUISZORG: 2}
    assert reminder_counts(h, [BESTUUR_LINDE, TREKKER], title) == {BESTUUR_LINDE: 0, TREKKER: 0}
    # The attendee reminder on Friday, the working day before the Monday session.
    for email in (BESTUUR_LINDE, TREKKER):
        [reminder] = messages_containing(h.emu, h.uid(email), attendee_text)
        assert "*Waar:* Stadhuis, kamer 3" in full_text(reminder)
        assert "Hitteprotocol doorlopen." in full_text(reminder)
    assert messages_containing(h.emu, h.uid(BESTUUR_THUISZORG), attendee_text) == []


async def test_saturday_reminder_arrives_exactly_once_at_monday_eight(harness):
    h = harness
    without_pacing(h)
    await h.import_example(text=monday_variant())
    await h.command(TREKKER, "uitnodigen maandag")
    await h.drain()
    title = "Maandagoverleg hitte"
    pending = [TREKKER, BESTUUR_LINDE, BESTUUR_THUISZORG]

    h.clock.set(local(2027, 3, 8, 10, 0))
    await h.tick()
    assert reminder_counts(h, pending, title) == dict.fromkeys(pending, 1)

    # Saturday 13 March 10:00 is due, but quiet: the sweep runs, Slack hears nothing.
    posts = total_posts(h)
    for moment in (local(2027, 3, 13, 10, 0), local(2027, 3, 13, 17, 0), local(2027, 3, 14, 12, 0),
                   local(2027, 3, 15, 7, 0), local(2027, 3, 15, 7, 59, 59)):
        h.clock.set(moment)
        for _ in range(3):
            await h.tick()
        assert total_posts(h) == posts, moment
    h.clock.set(local(2027, 3, 15, 8, 0))
    for _ in range(5):
        await h.tick()
    assert reminder_counts(h, pending, title) == dict.fromkeys(pending, 2)
    assert total_posts(h) == posts + len(pending)


async def test_remind_command_reminds_non_responders_now_and_once_a_day(harness):
    h = harness
    without_pacing(h)
    await h.import_example()
    r = await h.command(TREKKER, "herinneren start")
    assert "nog geen uitnodigingen verstuurd" in reply_text(h, r)
    assert await h.drain() == 0

    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    await answer(h, AMB_LINDE, "Ik kom")
    await answer(h, AMB_GGD, "Ik kan niet")
    await answer(h, AMB_THUISZORG, "Misschien")
    await h.drain()

    # A non-trekker may not.
    r = await h.command(AMB_LINDE, "herinneren start")
    assert "alleen een trekker" in reply_text(h, r)
    assert await h.drain() == 0

    r = await h.command(TREKKER, "herinneren start")
    assert "gestuurd aan 3 mensen die nog niet hebben geantwoord" in reply_text(h, r)
    await h.drain()
    everyone = START_INVITEES
    assert reminder_counts(h, everyone) == {**dict.fromkeys(PENDING, 1), **dict.fromkeys(ANSWERED, 0)}

    # Twice on the same day: nothing new.
    h.clock.advance(hours=3)
    r = await h.command(TREKKER, "herinneren start")
    assert "kregen vandaag al een herinnering" in reply_text(h, r)
    assert await h.drain() == 0
    assert reminder_counts(h, everyone) == {**dict.fromkeys(PENDING, 1), **dict.fromkeys(ANSWERED, 0)}

    # The next day it can be done again (English alias).
    h.clock.set(local(2027, 2, 2, 9, 0))
    r = await h.command(TREKKER, "remind start")
    assert "gestuurd aan 3 mensen" in reply_text(h, r)
    await h.drain()
    assert reminder_counts(h, everyone) == {**dict.fromkeys(PENDING, 2), **dict.fromkeys(ANSWERED, 0)}

    # Answering from the reminder: a short thank-you, and the invitation itself updates in place.
    [invitation] = invitations_to(h.emu, h.uid(AMB_WELZIJN))
    reminder = rsvp_reminders(h, AMB_WELZIJN)[-1]
    r = await h.drv.click(h.uid(AMB_WELZIJN), reminder, text="Ik kom")
    assert "je antwoord is opgeslagen: Komt" in full_text(h.emu.responses(r.response_url)[0])
    await h.drain()
    assert "*Je komt.*" in full_text(invitation) and len(invitation.versions) == 2
    assert (await invitation_of(h, "start", AMB_WELZIJN)).status == "yes"


async def test_remind_command_in_the_evening_sends_the_next_working_morning(harness):
    h = harness
    without_pacing(h)
    await h.import_example()
    await h.command(TREKKER, "uitnodigen bestuurlijk")
    await h.drain()
    invitees = [TREKKER, BESTUUR_LINDE, BESTUUR_THUISZORG]
    title = "Bestuurlijke bijeenkomst hitteplan"
    await answer(h, TREKKER, "Ik kom")
    await answer(h, BESTUUR_LINDE, "Ik kan niet")
    await h.drain()

    h.clock.set(local(2027, 2, 5, 20, 0))  # Friday evening
    r = await h.command(TREKKER, "herinneren bestuurlijk")
    text = reply_text(h, r)
    assert "gestuurd aan 1 persoon" in text
    assert "buiten werktijd" in text and "maandag 8 februari 2027, 08:00" in text
    posts = total_posts(h)
    for moment in (local(2027, 2, 5, 23, 0), local(2027, 2, 6, 10, 0), local(2027, 2, 8, 7, 59)):
        h.clock.set(moment)
        await h.tick()
        assert total_posts(h) == posts
    h.clock.set(local(2027, 2, 8, 8, 0))
    await h.tick()
    await h.tick()
    assert reminder_counts(h, invitees, title) == {TREKKER: 0, BESTUUR_LINDE: 0, BESTUUR_THUISZORG: 1}

    await answer(h, BESTUUR_THUISZORG, "Misschien")
    await h.drain()
    r = await h.command(TREKKER, "herinneren bestuurlijk")
    assert "Iedereen heeft al geantwoord" in reply_text(h, r)
    assert await h.drain() == 0
    assert reminder_counts(h, invitees, title) == {TREKKER: 0, BESTUUR_LINDE: 0, BESTUUR_THUISZORG: 1}
