"""Invitations to 2,000 invitees through a rate-limited, faulty Slack: time versus the floor.

    python bench/fanout.py [--people 2000] [--per-minute 3000] [--no-public-url] [--faults]

Set-up (all on loopback, in a temporary directory):
- the Slack emulator of the test suite with 2,000 workspace members and Slack-shaped
  limits: chat.postMessage limited per workspace (a token bucket of ``--per-minute``
  with a burst of one second's worth) and per channel (1 per second), plus 5 % random
  429s (Retry-After: 1) and 1 % random 500s injected on chat.postMessage; Tier 3
  (50/min) on conversations.open and conversations.history;
- the real bot in this process (``bootstrap`` + ``web_app`` behind aiohttp), SQLite,
  quiet hours off, SLACK_POST_PER_MINUTE equal to the emulator's limit, its dispatcher
  (``Dispatcher.run_forever``, system clock) running from the start as in ``serve``;
  PUBLIC_URL set (the calendar travels as a link) unless ``--no-public-url`` (then every
  invitee also gets a calendar file: files.* uploads, paced at the bot's file rate);
- ``--faults``: on every Slack call also 1 % connection resets before and 1 % after
  Slack processed it and 1 % answers held past the bot's timeout (SLACK_TIMEOUT=2);
- a generated trajectory with 2,000 people in one session, imported with the importer
  (e-mail look-ups against the emulator).

The clock starts when the trekker sends ``/dialoog uitnodigen`` (a signed request) and
stops when the invite is written (more than 250 invitees: in the background, after the
confirmation; no ``invite_run`` task open and an invitation row per invitee) and every
invitation and calendar-file row is ``sent`` or ``failed``; the time to the first answer
(the confirmation) and to the first invitation are reported too, and where the span went:
until the first invitation, the first tries (against what the bot's own pacing allows:
its burst is half Slack's), the retries after the last first try (a message refused in
the last second waits its Retry-After), and recording the last outcomes.

The floor is the least time the limits allow: ``(messages - burst) / rate`` for the
invitations (the bucket starts full), or the files at the bot's file rate if slower.
Duplicates are invitees with more than one invitation message; lost, invitees with none.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import SIGNING_SECRET, TOKEN, add_people, bot_env, trajectory_yaml, user_id  # noqa: E402

from aiohttp import web  # noqa: E402

from bot import db as dbmod  # noqa: E402
from bot.app import bootstrap, web_app  # noqa: E402
from bot.importer import import_file  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.slack.people import pacer_for  # noqa: E402
from bot.trajectory_file import parse  # noqa: E402
from tests.slack_emulator import SlackDriver, SlackEmulator  # noqa: E402

KEY = "bench-fanout"


def outbox_counts(db_path: Path) -> Counter:
    """The invitation messages and calendar files by status (not the trekker's own messages)."""
    with sqlite3.connect(db_path, timeout=30) as conn:
        return Counter(dict(conn.execute(
            "SELECT status, count(*) FROM outbox WHERE template IN ('invitation', 'file') GROUP BY status").fetchall()))


def all_written(db_path: Path, people: int) -> bool:
    """A large invite is written in the background after the confirmation: done when no
    ``invite_run`` task is open and every invitee has an invitation message."""
    with sqlite3.connect(db_path, timeout=30) as conn:
        running = conn.execute("SELECT count(*) FROM scheduled_task WHERE kind = 'invite_run' AND done_at IS NULL").fetchone()[0]
        written = conn.execute("SELECT count(*) FROM outbox WHERE template = 'invitation'").fetchone()[0]
    return running == 0 and written >= people


def is_invitation(message) -> bool:
    return any(
        block.get("type") == "actions" and any(e.get("action_id") == "rsvp_yes" for e in block.get("elements", []))
        for block in message.blocks or []
    )


async def main(people: int, per_minute: int, show_timeline: bool = False, public_url: bool = True,
               faults: bool = False) -> None:
    started = time.monotonic()
    rate = per_minute / 60.0
    burst = rate  # one second's worth, like Slack's "short bursts"
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        db_path = Path(tmp) / "bot.db"
        database_url = f"sqlite:///{db_path}"
        await asyncio.to_thread(dbmod.upgrade, database_url)
        async with SlackEmulator(token=TOKEN) as emu:
            add_people(emu, people)
            extra = {"SLACK_POST_PER_MINUTE": str(per_minute), "SLACK_TIMEOUT": "2"}
            if not public_url:
                extra["PUBLIC_URL"] = ""
            bot = bootstrap(load_settings(bot_env(emu.api_url, database_url, **extra), dotenv=False))
            runner = web.AppRunner(web_app(bot, run_background=False), access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            dispatcher_task = None
            try:
                parsed, errors = parse(trajectory_yaml(people, KEY), "fanout.yaml")
                assert not errors, [e.format() for e in errors]
                bot.ctx.finders["slack"].pacer = pacer_for(600_000)  # the set-up's look-ups unpaced
                report = await import_file(bot.ctx, parsed)
                assert not report.unreachable, report.unreachable
                print(f"set-up: {people} people imported and looked up ({time.monotonic() - started:.1f} s)")
                slack_limits(emu, per_minute, burst, faults)
                dispatcher_task = asyncio.create_task(bot.dispatcher.run_forever())
                async with SlackDriver(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, emulator=emu,
                                       timeout=600) as drv:
                    command_started = time.monotonic()
                    r = await drv.command(user_id(0), f"uitnodigen start traject:{KEY}")
                    assert r.status == 200, r.body_text
                    await emu.wait_for(lambda: emu.responses(r.response_url), timeout=600, interval=0.05)
                    first_answer = time.monotonic() - command_started
                    print(f"/dialoog uitnodigen: first answer after {first_answer:.1f} s")
                    print("  " + " | ".join(emu.responses(r.response_url)[-1].get("text", "").splitlines()[:1]))
                    files = 0 if public_url else people
                    file_rate = bot.dispatcher.pacer.per_second("slack:file")
                    floor = max((people - burst) / rate, files / file_rate)
                    counts = await until_done(db_path, people, people + files, command_started + max(120.0, 3 * floor))
                    elapsed = time.monotonic() - command_started
            finally:
                bot.dispatcher.stop()
                if dispatcher_task is not None:
                    await asyncio.wait_for(dispatcher_task, timeout=30)
                await runner.cleanup()
                await bot.ctx.db.dispose()
            own_floor = (people - bot.dispatcher.pacer.bucket("slack:direct").burst) / rate
            summary(emu, people, counts, command_started, elapsed, floor, first_answer, show_timeline, own_floor)
            print(f"limit: chat.postMessage {per_minute}/min ({rate:.0f}/s, burst {burst:.0f}) per workspace, "
                  f"1/s per channel; bot SLACK_POST_PER_MINUTE={per_minute}; {files} calendar files at "
                  f"{file_rate * 60:.0f}/min")
    print(f"total time: {time.monotonic() - started:.1f} s")


def slack_limits(emu, per_minute: int, burst: float, faults: bool) -> None:
    """Slack-shaped limits from here on (the look-ups of the import were not limited)."""
    emu.set_rate_limit("chat.postMessage", per_minute, burst=burst)
    emu.set_channel_rate_limit("chat.postMessage", per_second=1.0)
    for method in ("conversations.open", "conversations.history"):
        emu.set_rate_limit(method, 50, burst=5)
    network = dict(p_reset_before=0.01, p_reset_after=0.01, p_hold=0.01, hold_seconds=3.0) if faults else {}
    emu.set_random_faults("chat.postMessage", p_ratelimit=0.05, p_server_error=0.01, retry_after=1, **network)
    if faults:
        emu.set_random_faults("*", p_ratelimit=0.0, p_server_error=0.0, seed=7, **network)


async def until_done(db_path: Path, people: int, messages: int, deadline: float) -> Counter:
    """Wait until the invite is written (the rows come after the confirmation) and every
    invitation row is sent or failed (or give up at ``deadline``, and report)."""
    counts = Counter()
    while time.monotonic() < deadline:
        if not all_written(db_path, people):
            await asyncio.sleep(0.05)
            continue
        counts = outbox_counts(db_path)
        total = sum(counts.values())
        if total >= messages and counts["sent"] + counts["failed"] >= total:
            break
        await asyncio.sleep(0.05)
    return counts


def summary(emu, people, counts, command_started, elapsed, floor, first_answer, show_timeline, own_floor) -> None:
    per_invitee = [sum(1 for m in emu.dm(user_id(i)) if is_invitation(m)) for i in range(people)]
    calls = emu.calls_to("chat.postMessage")
    statuses = Counter(c.status for c in calls)
    ok_calls = sum(1 for c in calls if c.ok)
    first_ok = min((c.at for c in calls if c.ok), default=command_started) - command_started
    timeline = Counter(int(c.at - command_started) for c in calls if c.ok)
    refused = Counter(int(c.at - command_started) for c in calls if not c.ok)
    notes = Counter(c.note for c in emu.calls if c.note in ("reset_before", "reset_after", "hold"))
    print(f"chat.postMessage calls: {len(calls)} ({ok_calls} ok, {statuses[429]} answered 429, "
          f"{statuses[500]} answered 500); network faults on all calls: {dict(notes) or 'none'}")
    print(f"checks before a resend: {len(emu.calls_to('conversations.history'))} conversations.history calls")
    print(f"outbox: {counts['sent']} sent, {counts['failed']} failed, "
          f"{sum(counts.values()) - counts['sent'] - counts['failed']} unfinished")
    print(f"time to first answer: {first_answer:.1f} s; first invitation after {first_ok:.1f} s")
    print(f"elapsed from the command: {elapsed:.1f} s; floor: {floor:.1f} s")
    first_tries: dict = {}
    for c in calls:
        first_tries.setdefault(c.args.get("channel"), c.at)
    last_first = max(first_tries.values(), default=command_started) - command_started
    last_ok = max((c.at for c in calls if c.ok), default=command_started) - command_started
    print(f"where it went: {first_ok:.1f} s until the first invitation; {last_first - first_ok:.1f} s of first tries "
          f"(the bot's own burst, half Slack's, allows {own_floor:.1f} s); {last_ok - last_first:.1f} s of retries "
          f"after the last first try (Retry-After, backoff); {elapsed - last_ok:.1f} s until the outcomes were stored")
    if show_timeline:
        print("per second, ok/refused: " + " ".join(
            f"{timeline[i]}/{refused[i]}" for i in range(int(max(timeline | refused, default=0)) + 1)))
    print(f"duplicated: {sum(1 for n in per_invitee if n > 1)} (target 0); lost: {sum(1 for n in per_invitee if n == 0)} (target 0)")
    print(f"fanout_time_over_floor: {elapsed / floor:.2f} (target <= 1.1)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000, help="invitees (default 2000)")
    parser.add_argument("--per-minute", type=int, default=3000, help="chat.postMessage limit (default 3000/min)")
    parser.add_argument("--timeline", action="store_true", help="print successful/refused calls per second")
    parser.add_argument("--no-public-url", action="store_true", help="PUBLIC_URL unset: calendar files are uploaded")
    parser.add_argument("--faults", action="store_true", help="also resets before/after processing and held answers")
    args = parser.parse_args()
    try:
        asyncio.run(main(args.people, args.per_minute, args.timeline, not args.no_public_url, args.faults))
    except Exception as exc:  # a benchmark reports; it does not fail the build
        print(f"benchmark failed: {exc!r}")
        print("fanout_time_over_floor: n/a (target <= 1.1)")
    sys.exit(0)
