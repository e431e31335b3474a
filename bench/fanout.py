"""Invitations to 2,000 invitees through a rate-limited, faulty Slack: time versus the floor.

    python bench/fanout.py [--people 2000] [--per-minute 3000]

Set-up (all on loopback, in a temporary directory):
- the Slack emulator of the test suite with 2,000 workspace members and Slack-shaped
  limits: chat.postMessage limited per workspace (a token bucket of ``--per-minute``
  with a burst of one second's worth) and per channel (1 per second), plus 5 % random
  429s (Retry-After: 1) and 1 % random 500s injected on chat.postMessage;
- the real bot in this process (``bootstrap`` + ``web_app`` behind aiohttp), SQLite,
  PUBLIC_URL set (the calendar travels as a link, no file uploads), quiet hours off,
  SLACK_POST_PER_MINUTE equal to the emulator's limit;
- a generated trajectory with 2,000 people in one session, imported with the importer
  (e-mail look-ups against the emulator).

The trekker sends ``/dialoog uitnodigen`` (a signed request); when its confirmation
arrives all 2,000 outbox rows are written, and the real dispatcher
(``Dispatcher.run_forever`` with the system clock) is started.  The clock stops when
every outbox row is ``sent`` or ``failed``.

The floor is the least time the emulator's limit allows for the messages:
``(messages - burst) / rate`` (the bucket starts full, so the first ``burst`` calls are
free; this is stricter than ``messages / rate``).  Duplicates are invitees with more than
one invitation message in the emulator; lost messages are invitees with none.
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
from bot.trajectory_file import parse  # noqa: E402
from tests.slack_emulator import SlackDriver, SlackEmulator  # noqa: E402

KEY = "bench-fanout"


def outbox_counts(db_path: Path) -> Counter:
    with sqlite3.connect(db_path, timeout=30) as conn:
        return Counter(dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()))


def is_invitation(message) -> bool:
    return any(
        block.get("type") == "actions" and any(e.get("action_id") == "rsvp_yes" for e in block.get("elements", []))
        for block in message.blocks or []
    )


async def main(people: int, per_minute: int, show_timeline: bool = False) -> None:
    started = time.monotonic()
    rate = per_minute / 60.0
    burst = rate  # one second's worth, like Slack's "short bursts"
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        db_path = Path(tmp) / "bot.db"
        database_url = f"sqlite:///{db_path}"
        await asyncio.to_thread(dbmod.upgrade, database_url)
        async with SlackEmulator(token=TOKEN) as emu:
            add_people(emu, people)
            env = bot_env(emu.api_url, database_url, SLACK_POST_PER_MINUTE=str(per_minute))
            bot = bootstrap(load_settings(env, dotenv=False))
            runner = web.AppRunner(web_app(bot, run_background=False), access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            dispatcher_task = None
            try:
                parsed, errors = parse(trajectory_yaml(people, KEY), "fanout.yaml")
                assert not errors, [e.format() for e in errors]
                report = await import_file(bot.ctx, parsed)
                assert not report.unreachable, report.unreachable
                setup = time.monotonic() - started
                print(f"set-up: {people} people imported and looked up ({setup:.1f} s)")

                # Slack-shaped limits from here on (the look-ups above were not limited).
                emu.set_rate_limit("chat.postMessage", per_minute, burst=burst)
                emu.set_channel_rate_limit("chat.postMessage", per_second=1.0)
                emu.set_random_faults("chat.postMessage", p_ratelimit=0.05, p_server_error=0.01, retry_after=1)

                async with SlackDriver(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, emulator=emu,
                                       timeout=120) as drv:
                    command_started = time.monotonic()
                    r = await drv.command(user_id(0), f"uitnodigen start traject:{KEY}")
                    assert r.status == 200, r.body_text
                    await emu.wait_for(lambda: emu.responses(r.response_url), timeout=120, interval=0.05)
                    command_time = time.monotonic() - command_started
                    counts = outbox_counts(db_path)
                    messages = sum(counts.values())
                    print(f"/dialoog uitnodigen: {messages} outbox rows written, confirmation after {command_time:.1f} s")
                    print("  " + " | ".join(emu.responses(r.response_url)[-1].get("text", "").splitlines()[:1]))

                    # The real dispatcher, as the web process runs it, with the system clock.
                    send_started = time.monotonic()
                    dispatcher_task = asyncio.create_task(bot.dispatcher.run_forever())
                    deadline = send_started + max(60.0, 2.5 * messages / rate)  # give up (and report) after this
                    while time.monotonic() < deadline:
                        counts = outbox_counts(db_path)
                        if counts["sent"] + counts["failed"] >= messages:
                            break
                        await asyncio.sleep(0.02)
                    elapsed = time.monotonic() - send_started
            finally:
                bot.dispatcher.stop()
                if dispatcher_task is not None:
                    await asyncio.wait_for(dispatcher_task, timeout=30)
                await runner.cleanup()
                await bot.ctx.db.dispose()

            per_invitee = [sum(1 for m in emu.dm(user_id(i)) if is_invitation(m)) for i in range(people)]
            calls = emu.calls_to("chat.postMessage")
            statuses = Counter(c.status for c in calls)
            ok_calls = sum(1 for c in calls if c.ok)
            # When the calls were made, relative to the start of sending (emulator clock = time.monotonic).
            first_call = calls[0].at - send_started if calls else 0.0
            last_ok = max((c.at for c in calls if c.ok), default=send_started) - send_started
            timeline = Counter(int(c.at - send_started) for c in calls if c.ok)
            refused = Counter(int(c.at - send_started) for c in calls if not c.ok)

    floor = (messages - burst) / rate
    duplicates = sum(1 for n in per_invitee if n > 1)
    lost = sum(1 for n in per_invitee if n == 0)
    print(f"limit: chat.postMessage {per_minute}/min ({rate:.0f}/s, burst {burst:.0f}) per workspace, 1/s per channel; "
          f"bot SLACK_POST_PER_MINUTE={per_minute}")
    print(f"chat.postMessage calls: {len(calls)} ({ok_calls} ok, {statuses[429]} answered 429, "
          f"{statuses[500]} answered 500, {len(calls) - ok_calls - statuses[429] - statuses[500]} other)")
    print(f"outbox: {counts['sent']} sent, {counts['failed']} failed, "
          f"{messages - counts['sent'] - counts['failed']} unfinished")
    print(f"elapsed: {elapsed:.1f} s; floor: {floor:.1f} s ((messages - burst) / rate; messages / rate = "
          f"{messages / rate:.1f} s)")
    print(f"first call {first_call:.2f} s after the dispatcher started; last successful call at {last_ok:.2f} s")
    if show_timeline:
        print("per second, ok/refused: " + " ".join(
            f"{timeline[i]}/{refused[i]}" for i in range(int(max(timeline | refused, default=0)) + 1)))
    print(f"duplicates: {duplicates} (target 0); lost: {lost} (target 0)")
    print(f"total time: {time.monotonic() - started:.1f} s")
    print(f"fanout_time_over_floor: {elapsed / floor:.2f} (target <= 1.1)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000, help="invitees (default 2000)")
    parser.add_argument("--per-minute", type=int, default=3000, help="chat.postMessage limit (default 3000/min)")
    parser.add_argument("--timeline", action="store_true", help="print successful/refused calls per second")
    args = parser.parse_args()
    try:
        asyncio.run(main(args.people, args.per_minute, args.timeline))
    except Exception as exc:  # a benchmark reports; it does not fail the build
        print(f"benchmark failed: {exc!r}")
        print("fanout_time_over_floor: n/a (target <= 1.1)")
    sys.exit(0)
