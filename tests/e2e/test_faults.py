"""Exactly once under Slack's real limits and faults (issue 14, points 1-5).

Against the Slack emulator with Tier 3 limits on the checks (conversations.open and
conversations.history), 429s, 500s, connection resets before and after Slack processed a
call, and held answers: a crash or a fault storm during a 1,000-invitation fan-out loses
nothing and sends nothing twice, and two dispatchers on one database together keep the
configured rate.  Limits are scaled up (by 20) so the module runs in seconds; the clock is
the injected one (moved on to make retries and expired leases due).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bot import outbox
from bot.app import build_pacer
from bot.models import OutboxMessage
from scheduling.dispatcher import LEASE
from tests.e2e.conftest import (
    START_INVITEES,
    TREKKER,
    BotProcess,
    add_people,
    dump,
    example_data,
    reply_text,
)

SCALE = 20  # the limits of the tests: Slack's, twenty times faster
POST_PER_MINUTE = 300 * SCALE  # SLACK_POST_PER_MINUTE's default
TIER3_PER_MINUTE = 50 * SCALE  # conversations.open / conversations.history
FANOUT = 1000


def crowd(n: int) -> tuple[str, list[tuple[str, str]]]:
    """The example with extra participants: ``n`` invitees of the session ``start``."""
    data = example_data()
    extra = [(f"deelnemer{i:04d}@voorbeeldstad.example", f"Deelnemer {i:04d}") for i in range(n - len(START_INVITEES))]
    data["people"] += [{"name": name, "email": email, "organisation": "gemeente", "roles": ["deelnemer"]}
                       for email, name in extra]
    return dump(data), extra


async def fan_out(h, n: int) -> list[str]:
    """``n`` invitations waiting in the outbox; returns the invitees' e-mails.

    The trekker invites the example's six for real; the other invitations are the same
    message queued straight into the outbox for people only the workspace knows (queueing
    a large ``uitnodigen`` fast is the performance issue's subject; here it is sending)."""
    await h.import_example()
    r = await h.command(TREKKER, "uitnodigen start")
    assert f"{len(START_INVITEES)} nieuw verstuurd" in reply_text(h, r)
    _, extra = crowd(n)
    add_people(h, extra)
    async with h.ctx.db.transaction() as s:
        model = (await s.execute(select(OutboxMessage).where(OutboxMessage.template == "invitation"))).scalars().first()
        await outbox.enqueue_many(s, [
            dict(key=f"invite:crowd:{email}", op="direct", template="invitation", data=model.data,
                 target=h.uid(email), trajectory_id=model.trajectory_id, not_before=model.not_before)
            for email, _ in extra
        ], now=h.clock.now())
    return START_INVITEES + [email for email, _ in extra]


def pace(h, post: int = POST_PER_MINUTE, lookup: int = TIER3_PER_MINUTE) -> None:
    """The real pacer (shared through the database), at the scaled limits."""
    settings = replace(h.bot.settings, slack_post_per_minute=post, slack_lookup_per_minute=lookup)
    h.bot.dispatcher.pacer = build_pacer(settings, h.ctx.db)


def tier3(emu, per_minute: int = TIER3_PER_MINUTE) -> None:
    """Slack's Tier 3 on the calls that check for an earlier send (a small burst)."""
    for method in ("conversations.open", "conversations.history"):
        emu.set_rate_limit(method, per_minute, burst=5)


async def statuses(h) -> Counter:
    async with h.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))).all()
    return Counter(dict(rows))


async def settle(h, step: float = 2.0, rounds: int = 400) -> None:
    """Run the dispatcher until nothing is pending or sending; the clock moves on when
    nothing is due (retries after Retry-After or backoff, expired leases)."""
    for _ in range(rounds):
        if not await h.bot.dispatcher.run_once():
            counts = await statuses(h)
            if not counts["pending"] and not counts["sending"]:
                return
            h.clock.advance(seconds=step)
    raise AssertionError(f"the outbox did not settle: {await statuses(h)}")


def invitations_per_person(h, emails: list[str]) -> dict[str, int]:
    """How many invitation messages each invitee has (the key in the message metadata)."""
    keys = Counter()
    for call in h.emu.successful("chat.postMessage"):
        payload = (call.args.get("metadata") or {}).get("event_payload") or {}
        if str(payload.get("key", "")).startswith("invite:"):
            keys[call.args.get("channel")] += 1
    return {email: keys[h.uid(email)] for email in emails}


def lost_and_duplicated(h, emails: list[str]) -> tuple[list[str], list[str]]:
    counts = invitations_per_person(h, emails)
    return [e for e, n in counts.items() if n == 0], [e for e, n in counts.items() if n > 1]


async def run_until(h, predicate, timeout: float = 60.0) -> asyncio.Task:
    """Start the dispatcher's loop and return it (running) once ``predicate()`` holds."""
    task = asyncio.create_task(h.bot.dispatcher.run_forever(idle_seconds=0.05))
    await h.emu.wait_for(predicate, timeout=timeout)
    return task


async def kill(task: asyncio.Task) -> None:
    """The process dies: whatever is in flight is abandoned mid-call (like kill -9)."""
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


# -- 1. a crash during a large fan-out, with Tier 3 limits on the checks ---------------------


async def test_a_kill_during_a_1000_invitation_fan_out_loses_and_duplicates_nothing(harness, database_url):
    h = harness
    emails = await fan_out(h, FANOUT)
    pace(h)
    tier3(h.emu)
    # Slack accepts the posts in flight at the kill, and the answers never arrive.
    t0 = time.monotonic()
    first = await run_until(h, lambda: len(h.emu.successful("chat.postMessage")) >= 400)
    print(f"\n400 sent after {time.monotonic() - t0:.1f} s")
    h.emu.hold_next("chat.postMessage", 3.0, times=8)
    await asyncio.sleep(0)  # the held posts go out
    await h.emu.wait_for(lambda: sum(c.note == "hold" for c in h.emu.calls) >= 4, timeout=10)
    await kill(first)
    at_kill = await statuses(h)
    in_doubt = at_kill["sending"]
    # About half a second of sending claimed (the budget), plus the calls in flight and the
    # outcomes being written: not the hundreds claimed ahead before.
    budget = h.bot.dispatcher.claim_budget("slack:direct")
    assert 0 < in_doubt <= 2 * budget, at_kill

    async with BotProcess(h.emu, database_url, h.clock, h.users) as h2:
        pace(h2)
        h.clock.advance(LEASE * 2)  # the dead process's leases run out
        t0 = time.monotonic()
        await settle(h2)
        print(f"recovered in {time.monotonic() - t0:.1f} s")
        lost, duplicated = lost_and_duplicated(h2, emails)
        counts = await statuses(h2)
    print(f"\nkill: {in_doubt} rows in doubt, lost {len(lost)}, duplicated {len(duplicated)}; "
          f"checks: {len(h.emu.calls_to('conversations.history'))}, "
          f"429 on them: {sum(c.status == 429 for c in h.emu.calls_to('conversations.history'))}")
    assert (lost, duplicated) == ([], [])
    assert counts == Counter(sent=FANOUT)
    # The rows in doubt were checked (paced; a 429 meant "later", never "send again").
    assert len(h.emu.successful("conversations.history")) >= in_doubt


# -- 2. a fault storm: 429s, 500s, resets before and after processing, held answers ------------


async def test_a_fault_storm_loses_and_duplicates_nothing(harness):
    h = harness
    emails = await fan_out(h, 300)
    pace(h)
    tier3(h.emu)
    h.bot.ctx.chats["slack"].timeout = 1.0  # an answer held longer is an unknown outcome
    h.emu.set_random_faults("*", p_ratelimit=0.05, p_server_error=0.01, p_reset_before=0.01,
                            p_reset_after=0.01, p_hold=0.01, hold_seconds=1.5, seed=14)
    await settle(h)
    lost, duplicated = lost_and_duplicated(h, emails)
    notes = Counter(c.note for c in h.emu.calls if c.note)
    print(f"\nstorm: {notes}, 429: {sum(c.status == 429 for c in h.emu.calls)}, "
          f"500: {sum(c.status == 500 for c in h.emu.calls)}; lost {len(lost)}, duplicated {len(duplicated)}")
    assert notes["reset_after"] and notes["hold"] and notes["reset_before"]  # the storm did happen
    assert (lost, duplicated) == ([], [])
    assert await statuses(h) == Counter(sent=300)


async def test_a_reset_after_slack_accepted_the_post_is_not_posted_again(harness):
    """slack_sdk's connection-error retry handler re-posted at once: a duplicate."""
    h = harness
    emails = await fan_out(h, 6)
    h.emu.reset_next("chat.postMessage", after=True)
    await settle(h)
    assert lost_and_duplicated(h, emails) == ([], [])
    assert [c.note for c in h.emu.calls if c.note] == ["reset_after"]
    assert len(h.emu.successful("conversations.history")) == 1  # checked once, found it


async def test_a_held_answer_is_checked_before_sending_again(harness):
    h = harness
    emails = await fan_out(h, 6)
    h.bot.ctx.chats["slack"].timeout = 1.0
    h.emu.hold_next("chat.postMessage", 1.5)
    await settle(h)
    assert lost_and_duplicated(h, emails) == ([], [])
    assert len(h.emu.successful("conversations.history")) >= 1  # checked, found it, not sent again


async def test_a_check_that_is_rate_limited_waits_and_never_resends(harness):
    h = harness
    emails = await fan_out(h, 6)
    h.emu.reset_next("chat.postMessage", after=True)
    h.emu.ratelimit_next("conversations.history", retry_after=1, times=2)
    h.emu.http_error_next("conversations.history", status=500)
    await settle(h)
    assert lost_and_duplicated(h, emails) == ([], [])
    statuses_of_checks = [c.status for c in h.emu.calls_to("conversations.history")]
    assert statuses_of_checks == [429, 429, 500, 200]


# -- 3. two dispatchers share the limit -----------------------------------------------------------


def busiest_second(times: list[float]) -> int:
    """The most calls in any one second."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_two_dispatchers_on_one_database_together_keep_the_configured_rate(harness, database_url):
    h = harness
    # 15 a second (the pacer's burst is half a second's worth): low enough that two
    # processes pacing alone (30 a second together) are reached even on a busy machine.
    per_minute = 900
    emails = await fan_out(h, 150)
    pace(h, post=per_minute)
    async with BotProcess(h.emu, database_url, h.clock, h.users) as other:
        pace(other, post=per_minute)
        # The second keeps asking while the first works: one drain alone may find
        # every due row locked by the other at that instant and stop.
        first, second = asyncio.create_task(h.drain()), 0
        while not first.done():
            second += await other.drain()
            await asyncio.sleep(0.01)
        handled = [await first, second + await other.drain()]
    assert all(handled), handled  # both took part
    assert lost_and_duplicated(h, emails) == ([], [])
    times = [c.at for c in h.emu.successful("chat.postMessage")]
    span = max(times) - min(times)
    rate = (len(times) - per_minute / 60 * 0.5) / span  # the first burst not counted
    print(f"\ncombined rate: {rate:.1f}/s over {span:.1f} s (limit {per_minute / 60:.0f}/s), "
          f"busiest second: {busiest_second(times)}")
    # Each pacing alone would allow twice the limit; together they stay within it.
    assert rate <= per_minute / 60 * 1.15
    # The busiest second: a burst (half a second's worth) and one second's worth is 22;
    # two processes pacing alone would reach about 44.  On a loaded machine the emulator
    # handles a stalled batch of calls at once (28 seen), so the line is drawn between:
    # below twice the limit.
    assert busiest_second(times) < 2 * per_minute / 60


# -- 4 and 5. a second command during a fan-out, two reminders at once ---------------------------


async def test_a_second_command_and_a_kill_during_a_fan_out_change_nothing(harness, database_url):
    h = harness
    emails = await fan_out(h, 300)
    pace(h)
    first = await run_until(h, lambda: len(h.emu.successful("chat.postMessage")) >= 100)
    r = await h.command(TREKKER, "uitnodigen start")  # the trekker is impatient
    assert "0 nieuw verstuurd" in reply_text(h, r)
    await kill(first)
    async with BotProcess(h.emu, database_url, h.clock, h.users) as h2:
        pace(h2)
        h.clock.advance(LEASE * 2)
        second = await run_until(h2, lambda: len(h.emu.successful("chat.postMessage")) >= 200)
        r = await h2.command(TREKKER, "uitnodigen start")
        assert "0 nieuw verstuurd" in reply_text(h2, r)
        await kill(second)
        await settle(h2)
        assert lost_and_duplicated(h2, emails) == ([], [])


async def test_two_reminder_commands_at_once_both_answer_and_remind_once(harness):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    first, second = await asyncio.gather(h.command(TREKKER, "herinneren start"), h.command(TREKKER, "herinneren start"))
    answers = [reply_text(h, first), reply_text(h, second)]
    assert not any("Er ging iets mis" in a for a in answers), answers
    await h.drain()
    async with h.ctx.db.sessionmaker() as s:
        keys = (await s.execute(select(OutboxMessage.key).where(OutboxMessage.key.like("remind-now:%")))).scalars().all()
    assert len(keys) == len(set(keys)) == len(START_INVITEES)
    reminded = Counter(c.args.get("channel") for c in h.emu.successful("chat.postMessage")
                       if str(((c.args.get("metadata") or {}).get("event_payload") or {}).get("key", "")).startswith("remind-now:"))
    assert sorted(reminded.values()) == [1] * len(START_INVITEES)
