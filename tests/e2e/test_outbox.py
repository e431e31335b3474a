"""The outbox and its dispatcher: restarts, rate limits, transient and permanent errors,
and two processes sending from one PostgreSQL database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import OutboxMessage
from scheduling.sweep import sweep
from tests.conftest import TOKEN, example, local, make_emulator_users, people_of
from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    START_INVITEES,
    TREKKER,
    BotProcess,
    add_people,
    dump,
    example_data,
    full_text,
    invitations_to,
    messages_containing,
    outbox_rows,
    posts_to,
    reply_text,
)
from tests.slack_emulator import SlackEmulator

NAMES = {
    "trekker@voorbeeldstad.example": "Trekker Gemeente",
    "collega@voorbeeldstad.example": "Collega Gemeente",
    "ambassadeur@ggd.example": "Ambassadeur GGD",
    "ambassadeur@delinde.example": "Ambassadeur De Linde",
    "ambassadeur@thuiszorg.example": "Ambassadeur Thuiszorg",
    "ambassadeur@welzijn.example": "Ambassadeur Welzijn",
}


def invitation_counts(h, emails) -> dict[str, int]:
    return {email: len(invitations_to(h.emu, h.uid(email))) for email in emails}


def failed_post_targets(h, status: int | None = None, error: str | None = None) -> list[str]:
    return [c.args.get("channel") for c in h.emu.calls_to("chat.postMessage")
            if (status is None or c.status == status) and (error is None or c.error == error)]


def email_of(h, user_id: str) -> str:
    return next(email for email, uid in h.users.items() if uid == user_id)


async def invite_start(h) -> None:
    await h.import_example()
    r = await h.command(TREKKER, "uitnodigen start")
    assert "6 nieuw verstuurd" in reply_text(h, r)


async def row_for(h, key_prefix: str, person_email: str) -> OutboxMessage:
    from bot.models import Person

    async with h.ctx.db.sessionmaker() as s:
        person_ids = (await s.execute(select(Person.id).where(Person.email == person_email))).scalars().all()
        return (
            await s.execute(
                select(OutboxMessage).where(OutboxMessage.key.like(f"{key_prefix}%"),
                                            OutboxMessage.person_id.in_(person_ids))
            )
        ).scalar_one()


# -- restart -------------------------------------------------------------------------------------


@pytest.mark.parametrize("sent_before_crash", [0, 2])
async def test_after_a_restart_every_message_is_sent_exactly_once(database_url, clock, sent_before_crash):
    async with SlackEmulator(token=TOKEN) as emu:
        users = make_emulator_users(emu, people_of(example("hitteplan.yaml")), set())
        first = BotProcess(emu, database_url, clock, users)
        h = await first.start()
        await invite_start(h)
        pending = [r for r in await outbox_rows(h) if r.status == "pending"]
        assert len(pending) == 6
        if sent_before_crash:
            # The dispatcher got through part of the work before the process died.
            assert await h.bot.dispatcher.run_once(limit=sent_before_crash) == sent_before_crash
        assert len(emu.successful("chat.postMessage")) == sent_before_crash
        await first.stop()  # the process is gone; the rows are in the database

        async with BotProcess(emu, database_url, clock, users) as h2:
            assert await h2.drain() == 6 - sent_before_crash
            assert await h2.drain() == 0
            assert invitation_counts(h2, START_INVITEES) == dict.fromkeys(START_INVITEES, 1)
            assert len(emu.successful("chat.postMessage")) == 6
            assert {r.status for r in await outbox_rows(h2)} == {"sent"}

            # The new process handles the buttons of messages the old one sent.
            [message] = invitations_to(emu, users[AMB_LINDE])
            r = await h2.drv.click(users[AMB_LINDE], message, text="Ik kom")
            assert r.status == 200
            await h2.drain()
            assert "*Je komt.*" in full_text(message)
            # Sending the same invitations again after the restart: nothing new.
            r = await h2.command(TREKKER, "uitnodigen start")
            assert "0 nieuw verstuurd, 6 hadden er al een" in reply_text(h2, r)
            assert await h2.drain() == 0


# -- Slack says "not now" or fails ------------------------------------------------------------


async def test_429_with_retry_after_is_sent_later_once(harness):
    h = harness
    await invite_start(h)
    h.emu.ratelimit_next("chat.postMessage", retry_after=1)
    await h.drain()

    [victim] = failed_post_targets(h, status=429)
    email = email_of(h, victim)
    assert invitations_to(h.emu, victim) == []
    others = [e for e in START_INVITEES if e != email]
    assert invitation_counts(h, others) == dict.fromkeys(others, 1)
    row = await row_for(h, "invite:", email)
    assert row.status == "pending" and row.last_error == "ratelimited"
    assert row.not_before == h.clock.now() + timedelta(seconds=1)

    # Retry-After is honoured: not before one second has passed.
    await h.tick(seconds=0.5)
    assert invitations_to(h.emu, victim) == []
    await h.tick(seconds=0.6)
    assert len(invitations_to(h.emu, victim)) == 1
    for _ in range(3):
        await h.tick(seconds=5)
    assert invitation_counts(h, START_INVITEES) == dict.fromkeys(START_INVITEES, 1)
    assert len(h.emu.successful("chat.postMessage")) == 6
    assert (await row_for(h, "invite:", email)).status == "sent"


async def test_server_errors_are_retried_with_backoff_and_sent_once(harness):
    h = harness
    await invite_start(h)
    h.emu.http_error_next("chat.postMessage", status=503, times=1)
    await h.drain()

    [victim] = failed_post_targets(h, status=503)
    email = email_of(h, victim)
    row = await row_for(h, "invite:", email)
    assert row.status == "pending" and row.attempts == 1
    wait = (row.not_before - h.clock.now()).total_seconds()
    assert 1.0 <= wait <= 5.0  # a backoff, not a hot loop
    assert invitations_to(h.emu, victim) == []

    # A second failure waits longer.
    h.emu.http_error_next("chat.postMessage", status=500, times=1)
    await h.tick(seconds=wait)
    row = await row_for(h, "invite:", email)
    assert row.status == "pending" and row.attempts == 2
    second_wait = (row.not_before - h.clock.now()).total_seconds()
    assert second_wait > wait * 1.2 or second_wait >= 3.0
    assert invitations_to(h.emu, victim) == []

    await h.tick(seconds=second_wait)
    for _ in range(3):
        await h.tick(seconds=60)
    assert invitation_counts(h, START_INVITEES) == dict.fromkeys(START_INVITEES, 1)
    assert len(h.emu.successful("chat.postMessage")) == 6
    assert (await row_for(h, "invite:", email)).status == "sent"


async def test_a_permanent_error_is_marked_failed_and_shown_to_the_trekker(harness):
    h = harness
    await invite_start(h)
    h.emu.fail_next("chat.postMessage", "user_not_found")
    await h.drain()

    [victim] = failed_post_targets(h, error="user_not_found")
    email = email_of(h, victim)
    row = await row_for(h, "invite:", email)
    assert row.status == "failed" and row.last_error == "user_not_found"
    # Never tried again.
    for _ in range(3):
        await h.tick(minutes=30)
    assert len(failed_post_targets(h)) == 6
    assert invitations_to(h.emu, victim) == []

    r = await h.command(TREKKER, "status start")
    undelivered = next(line for line in reply_text(h, r).splitlines() if "Niet bezorgd" in line)
    assert NAMES[email] in undelivered
    assert all(NAMES[e] not in undelivered for e in START_INVITEES if e != email)


async def test_a_deactivated_user_is_shown_as_not_delivered(harness):
    h = harness
    await h.import_example()
    h.emu.deactivate_user(h.uid(AMB_GGD))
    r = await h.command(TREKKER, "uitnodigen start")
    assert "nieuw verstuurd" in reply_text(h, r)
    await h.drain()
    row = await row_for(h, "invite:", AMB_GGD)
    assert row.status == "failed" and row.last_error == "user_not_found"
    others = [e for e in START_INVITEES if e != AMB_GGD]
    assert invitation_counts(h, others) == dict.fromkeys(others, 1)

    r = await h.command(TREKKER, "status start")
    assert "Niet bezorgd:* Ambassadeur GGD" in reply_text(h, r)
    assert await h.tick(hours=1) == 0


# -- two processes on one PostgreSQL database ---------------------------------------------------


def crowded_variant(n: int = 14) -> tuple[str, list[tuple[str, str]]]:
    data = example_data()
    extra = [(f"deelnemer{i:02d}@voorbeeldstad.example", f"Deelnemer {i:02d}") for i in range(n)]
    data["people"] += [{"name": name, "email": email, "organisation": "gemeente", "roles": ["deelnemer"]}
                       for email, name in extra]
    return dump(data), extra


async def test_two_dispatchers_and_two_sweeps_never_send_twice(harness, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent dispatchers are promised on PostgreSQL")
    h = harness
    text, extra = crowded_variant()
    add_people(h, extra)
    await h.import_example(text=text)
    invitees = START_INVITEES + [email for email, _ in extra]
    r = await h.command(TREKKER, "uitnodigen start")
    assert f"{len(invitees)} nieuw verstuurd" in reply_text(h, r)

    async with BotProcess(h.emu, database_url, h.clock, h.users) as other:
        # Slow Slack down a little so both dispatchers are busy at the same time.
        h.emu.delay_next("chat.postMessage", 0.01, times=len(invitees))
        handled = await asyncio.gather(h.drain(), other.drain(), h.drain(), other.drain())
        assert sum(handled) == len(invitees)
        assert invitation_counts(h, invitees) == dict.fromkeys(invitees, 1)
        assert len(h.emu.calls_to("chat.postMessage")) == len(invitees)

        # Both processes sweep at the moment the 7-day reminders are due.
        h.clock.set(local(2027, 3, 2, 14, 0))
        await asyncio.gather(sweep(h.ctx), sweep(other.ctx), sweep(h.ctx), sweep(other.ctx))
        await asyncio.gather(h.drain(), other.drain())
        reminded = {e: len(messages_containing(h.emu, h.uid(e), "we hebben nog geen antwoord van je"))
                    for e in invitees}
        assert reminded == dict.fromkeys(invitees, 1)
        assert all(len(posts_to(h.emu, h.uid(e))) == 2 for e in invitees)
