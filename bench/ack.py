"""Ack latency of 200 concurrent RSVP clicks: the real bot versus a bare Bolt app.

    python bench/ack.py [--people 200] [--rounds 6]

Set-up (all on loopback, in a temporary directory):
- the Slack emulator of the test suite with 200 workspace members;
- a generated trajectory with those 200 people, imported with ``python -m bot import``;
- the real bot as production starts it (``python -m bot serve``: SQLite,
  SLACK_PROCESS_BEFORE_RESPONSE=false, dispatcher and scheduler running), in its own process;
- a bare slack_bolt AsyncApp (same signing secret, same emulator client) whose
  block_actions listener only acks, served the same way (aiohttp AppRunner), in its own process;
- the trekker sends ``/dialoog uitnodigen`` (a signed request) and the bot's own
  dispatcher delivers the 200 invitations to the emulator.

Measured: the HTTP response time of the signed block_actions request (what Slack
waits for before it shows "this app did not respond"), for 200 invitees clicking a
button of their own invitation at the same moment.  Rounds alternate between the two
apps (ABBA order) with the same clicks, so machine noise hits both; after a bot round
the benchmark waits until the bot has stored all 200 answers before the next round.
Each bot round gives a different answer (yes, no, maybe, ...), so every click changes
the invitation and queues an update of the message: the real work, not a no-op.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    ROOT,
    SIGNING_SECRET,
    TOKEN,
    add_people,
    bot_env,
    child_env,
    ms,
    percentile,
    start_bare_app,
    start_bot,
    trajectory_yaml,
    user_id,
)

from tests.slack_emulator import Response, SlackDriver, SlackEmulator  # noqa: E402

KEY = "bench-ack"
ANSWERS = [("rsvp_yes", "yes"), ("rsvp_no", "no"), ("rsvp_maybe", "maybe")]


class Driver(SlackDriver):
    """The test suite's driver, with the clicks built before they are sent: building a
    payload (copying the message, a response_url, a trigger_id) is the load generator's
    work and must not run between the send and the answer of other clicks."""

    def __init__(self, url: str, emu: SlackEmulator):
        super().__init__(url, SIGNING_SECRET, emulator=emu, timeout=30.0)
        # No client-side connection cap (aiohttp's default is 100): 200 clicks are 200 requests in flight.
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=30)
        )
        self._captured: list[dict] | None = None

    async def _post_payload(self, payload: dict, **options):
        if self._captured is not None:
            self._captured.append(payload)
            return Response(200, "", None, payload=payload)
        return await super()._post_payload(payload, **options)

    async def prepare_clicks(self, clicks: list[tuple[str, object, str]]) -> list[bytes]:
        """Form bodies of block_actions requests for (user, message, action_id)."""
        self._captured = []
        try:
            for uid, message, action_id in clicks:
                await self.click(uid, message, action_id=action_id)
            return [urlencode({"payload": json.dumps(p)}).encode() for p in self._captured]
        finally:
            self._captured = None


def invitation_of(emu: SlackEmulator, uid: str):
    for message in emu.dm(uid):
        for block in message.blocks or []:
            if block.get("type") == "actions" and any(e.get("action_id") == "rsvp_yes" for e in block.get("elements", [])):
                return message
    return None


async def click_round(drv: Driver, emu: SlackEmulator, uids: list[str], action_id: str) -> list[float]:
    """Every invitee clicks ``action_id`` on their own invitation, all at the same moment.
    Returns the response times (signed POST sent -> response read)."""
    bodies = await drv.prepare_clicks([(uid, invitation_of(emu, uid), action_id) for uid in uids])
    form = "application/x-www-form-urlencoded"
    responses = await asyncio.gather(*(drv.post(body, form) for body in bodies))
    bad = [r.status for r in responses if r.status != 200]
    if bad:
        raise RuntimeError(f"{len(bad)} clicks were not acknowledged with 200: {sorted(set(bad))}")
    return [r.elapsed for r in responses]


def waiting(db_path: Path) -> dict[str, int]:
    """Outbox rows not sent yet, by template."""
    with sqlite3.connect(db_path, timeout=30) as conn:
        return dict(conn.execute("SELECT template, count(*) FROM outbox WHERE status = 'pending' GROUP BY template").fetchall())


async def quiet_outbox(db_path: Path, timeout: float = 300.0) -> dict[str, int]:
    """Wait until the bot has sent what the set-up queued (reports, App Home views), so
    that the rounds measure acking alone; returns what was waiting at the start."""
    first = waiting(db_path)
    until = time.monotonic() + timeout
    while waiting(db_path) and time.monotonic() < until:
        await asyncio.sleep(0.5)
    return first


def answered(db_path: Path, status: str) -> int:
    with sqlite3.connect(db_path, timeout=30) as conn:
        return conn.execute("SELECT count(*) FROM invitation WHERE status = ?", (status,)).fetchone()[0]


async def settle(db_path: Path, status: str, count: int, quiet: float = 6.0, timeout: float = 90.0) -> tuple[int, float]:
    """Wait until the bot has stored ``count`` answers ``status``, or until nothing changed
    for ``quiet`` seconds (longer than SQLite's busy timeout: a transaction that waited for
    the write lock that long has failed).  Returns (answers stored, seconds it took)."""
    started = last_change = time.monotonic()
    last = -1
    while True:
        stored = answered(db_path, status)
        now = time.monotonic()
        if stored >= count or now - last_change > quiet or now - started > timeout:
            return stored, (now if stored >= count else last_change) - started
        if stored != last:
            last, last_change = stored, now
        await asyncio.sleep(0.05)


async def main(people: int, rounds: int) -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-ack-") as tmp:
        tmpdir = Path(tmp)
        db_path = tmpdir / "bot.db"
        yaml_path = tmpdir / "traject.yaml"
        yaml_path.write_text(trajectory_yaml(people, KEY))
        async with SlackEmulator(token=TOKEN) as emu:
            add_people(emu, people)
            # Production settings; only the post rate is raised so the set-up (200 invitations)
            # does not take 40 s at the default 300/min.  It plays no part in acking.
            # The look-ups of the import too: at Tier 3 (50/min) the 200 people took four minutes.
            env = bot_env(emu.api_url, f"sqlite:///{db_path}", SLACK_POST_PER_MINUTE="12000", SLACK_LOOKUP_PER_MINUTE="600000")
            imported = await asyncio.to_thread(
                subprocess.run, [sys.executable, "-m", "bot", "import", str(yaml_path)],
                env=child_env(env), cwd=str(ROOT),
                capture_output=True, text=True,
            )
            if imported.returncode != 0:
                raise RuntimeError(f"import failed:\n{imported.stdout}\n{imported.stderr}")
            bot, bare = start_bot(env, tmpdir), start_bare_app(env, tmpdir)
            try:
                await asyncio.gather(bot.wait_ready(), bare.wait_ready())
                bot_drv, bare_drv = Driver(bot.url, emu), Driver(bare.url, emu)
                try:
                    trekker = user_id(0)
                    r = await bot_drv.command(trekker, f"uitnodigen start traject:{KEY}")
                    assert r.status == 200, r.body_text
                    uids = [user_id(i) for i in range(people)]
                    await emu.wait_for(lambda: all(invitation_of(emu, uid) for uid in uids), timeout=60, interval=0.1)
                    backlog = await quiet_outbox(db_path)
                    setup = time.monotonic() - started
                    print(f"set-up: {people} people imported, {people} invitations delivered, then the rest of the "
                          f"outbox sent ({backlog or 'nothing'}) ({setup:.1f} s)")

                    samples: dict[str, list[float]] = {"bot": [], "bare": []}
                    per_round: dict[str, list[float]] = {"bot": [], "bare": []}
                    answer_index = 0
                    stored: list[float] = []  # seconds from the end of a bot round until all answers were stored
                    lost: list[int] = []  # clicks acked but never stored, per bot round

                    async def run(app: str, record: bool) -> None:
                        nonlocal answer_index
                        action_id, status = ANSWERS[answer_index % len(ANSWERS)]
                        drv = bot_drv if app == "bot" else bare_drv
                        lat = await click_round(drv, emu, uids, action_id)
                        if app == "bot":
                            answer_index += 1
                            count, seconds = await settle(db_path, status, people)
                            stored.append(seconds)
                            lost.append(people - count)
                        await asyncio.sleep(0.3)  # let both processes settle
                        if record:
                            samples[app].extend(lat)
                            per_round[app].append(percentile(lat, 99))

                    # Warm-up (connections, auth.test, imports), not counted.
                    await run("bot", False)
                    await run("bare", False)
                    order = []
                    for i in range(rounds):
                        order += ["bot", "bare"] if i % 2 == 0 else ["bare", "bot"]
                    for app in order:
                        await run(app, True)
                finally:
                    await bot_drv.close()
                    await bare_drv.close()
            except Exception:
                print(f"--- the end of the bot's log ---\n{bot.log_tail()}\n---")
                raise
            finally:
                bot.stop()
                bare.stop()

    bot_p50, bot_p99 = percentile(samples["bot"], 50), percentile(samples["bot"], 99)
    bare_p50, bare_p99 = percentile(samples["bare"], 50), percentile(samples["bare"], 99)
    print(f"rounds: {rounds} per app, ABBA order, {people} concurrent clicks each ({len(samples['bot'])} samples per app)")
    print(f"bare Bolt app: p50 {ms(bare_p50)}, p99 {ms(bare_p99)}, max {ms(max(samples['bare']))}")
    print(f"Dialoogbot:    p50 {ms(bot_p50)}, p99 {ms(bot_p99)}, max {ms(max(samples['bot']))}")
    print("p99 per round: bot " + ", ".join(f"{v * 1000:.0f}" for v in per_round["bot"])
          + " ms; bare " + ", ".join(f"{v * 1000:.0f}" for v in per_round["bare"]) + " ms")
    print(f"bot stored the answers of a round {max(stored):.2f} s after the last ack at worst")
    print(f"answers lost (acked, not stored): {sum(lost)} of {len(lost) * people} "
          f"(per round incl. warm-up: {', '.join(map(str, lost))}; target 0)")
    pairs = sorted(b / a for b, a in zip(per_round["bot"], per_round["bare"]))
    print(f"p99 ratio per pair of neighbouring rounds: {', '.join(f'{r:.2f}' for r in pairs)} "
          f"(median {statistics.median(pairs):.2f})")
    print(f"ack_p50_ratio: {bot_p50 / bare_p50:.2f}")
    print(f"total time: {time.monotonic() - started:.1f} s")
    print(f"ack_p99_ratio: {bot_p99 / bare_p99:.2f} (target <= 1.5)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200, help="invitees clicking at once (default 200)")
    parser.add_argument("--rounds", type=int, default=6, help="measured rounds per app (default 6)")
    args = parser.parse_args()
    try:
        asyncio.run(main(args.people, args.rounds))
    except Exception as exc:  # a benchmark reports; it does not fail the build
        print(f"benchmark failed: {exc!r}")
        print("ack_p99_ratio: n/a (target <= 1.5)")
    sys.exit(0)
