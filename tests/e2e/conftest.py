"""Helpers for the end-to-end tests.

Everything here looks at the bot from the outside: what the Slack emulator received
(messages, files, responses, views), what the CLI printed, and the rows in the
database. The bot itself is driven only through signed HTTP requests (``h.drv``),
the CLI (``run_cli``) and the clock (``h.clock`` / ``h.tick``).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pytest
import yaml
from icalendar import Calendar
from sqlalchemy import func, select

from bot.models import Invitation, OutboxMessage, Person, Session, Trajectory
from tests.conftest import ROOT, SIGNING_SECRET, TOKEN, example
from tests.slack_emulator import Message, SlackEmulator

TREKKER = "trekker@voorbeeldstad.example"
COLLEGA = "collega@voorbeeldstad.example"
AMB_GGD = "ambassadeur@ggd.example"
AMB_LINDE = "ambassadeur@delinde.example"
BESTUUR_LINDE = "bestuur@delinde.example"
AMB_THUISZORG = "ambassadeur@thuiszorg.example"
BESTUUR_THUISZORG = "bestuur@thuiszorg.example"
AMB_WELZIJN = "ambassadeur@welzijn.example"
# Invitees of the session `start` (roles trekker, ambassadeur, deelnemer).
START_INVITEES = [TREKKER, COLLEGA, AMB_GGD, AMB_LINDE, AMB_THUISZORG, AMB_WELZIJN]
HITTEPLAN = "hitteplan-voorbeeldstad"
NEERSLAG = "neerslag-bovenregionaal"
TREKKER_NEERSLAG = "trekker@provincie.example"

BUTTONS = ["Ik kom", "Ik kan niet", "Misschien", "Ik stuur een collega"]


# -- trajectory files ---------------------------------------------------------------------


def example_data(name: str = "hitteplan.yaml") -> dict:
    return yaml.safe_load(example(name).read_text(encoding="utf-8"))


def dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)


def session_spec(data: dict, key: str) -> dict:
    return next(s for s in data["sessions"] if s["key"] == key)


def add_people(h, people: Iterable[tuple[str, str]]) -> None:
    """Make workspace members for people that only a variant file has."""
    for index, (email, name) in enumerate(people, start=len(h.users) + 100):
        if email in h.users:
            continue
        user_id = f"U{index:04d}"
        h.emu.add_user(user_id, email, name[:80])
        h.users[email] = user_id


# -- what Slack received ----------------------------------------------------------------


def texts_of(blocks: list | None) -> list[str]:
    """Every text string in a list of blocks (mrkdwn and plain_text alike)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks or [])
    return found


def mrkdwn_of(blocks: list | None) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks or [])
    return found


def full_text(message: Message | dict) -> str:
    if isinstance(message, dict):
        return "\n".join([message.get("text") or "", *texts_of(message.get("blocks"))])
    return "\n".join([message.text or "", *texts_of(message.blocks)])


def header_of(message: Message) -> str | None:
    for block in message.blocks or []:
        if block.get("type") == "header":
            return block["text"]["text"]
    return None


def bot_messages(emu: SlackEmulator, user_id: str) -> list[Message]:
    """What the bot posted in its DM with the user (files included), oldest first."""
    return [m for m in emu.dm(user_id) if m.user == emu.bot_user_id]


def invitations_to(emu: SlackEmulator, user_id: str) -> list[Message]:
    """Invitation messages (header "Uitnodiging: ..." or, once cancelled, "Gaat niet door: ...")."""
    return [
        m for m in bot_messages(emu, user_id)
        if any(b.get("block_id") == "rsvp" for b in m.blocks or [])
        or (header_of(m) or "").startswith(("Uitnodiging:", "Gaat niet door:"))
    ]


def messages_containing(emu: SlackEmulator, user_id: str, needle: str) -> list[Message]:
    return [m for m in bot_messages(emu, user_id) if needle in full_text(m)]


def posts_to(emu: SlackEmulator, user_id: str) -> list:
    """Successful chat.postMessage calls addressed to the user (by user id or DM channel)."""
    targets = {user_id, emu.dm_channel_id(user_id)}
    return [c for c in emu.successful("chat.postMessage") if c.args.get("channel") in targets]


def buttons_of(message: Message | dict) -> list[dict]:
    blocks = message.blocks if isinstance(message, Message) else message.get("blocks")
    out = []
    for block in blocks or []:
        if block.get("type") == "actions":
            out += [e for e in block.get("elements", []) if e.get("type") == "button"]
    return out


def button_labels(message: Message | dict) -> list[str]:
    return [b["text"]["text"] for b in buttons_of(message)]


def files_in_dm(emu: SlackEmulator, user_id: str) -> list[dict]:
    channel = emu.dm_channel_id(user_id)
    return [f for f in emu.files.values() if f["completed"] and f["channel_id"] == channel]


def calendars_in_dm(emu: SlackEmulator, user_id: str) -> list[Calendar]:
    return [Calendar.from_ical(f["bytes"]) for f in files_in_dm(emu, user_id)]


def vevent(cal: Calendar):
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 1, cal.to_ical()
    return events[0]


def replies(h, response) -> list[dict]:
    return h.emu.responses(response.response_url)


def reply_text(h, response) -> str:
    bodies = replies(h, response)
    assert bodies, "the bot did not answer through the response_url"
    return "\n".join(full_text(b) for b in bodies)


# -- the database ---------------------------------------------------------------------


async def outbox_rows(h) -> list[OutboxMessage]:
    async with h.ctx.db.sessionmaker() as s:
        return list((await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars())


async def outbox_snapshot(h) -> list[tuple]:
    return [(r.id, r.key, r.status, r.attempts, r.ref_ts, r.not_before) for r in await outbox_rows(h)]


async def invitation_of(h, session_key: str, email: str, trajectory_key: str = HITTEPLAN) -> Invitation | None:
    async with h.ctx.db.sessionmaker() as s:
        return (
            await s.execute(
                select(Invitation)
                .join(Session, Session.id == Invitation.session_id)
                .join(Person, Person.id == Invitation.person_id)
                .join(Trajectory, Trajectory.id == Session.trajectory_id)
                .where(Session.key == session_key, Person.email == email, Trajectory.key == trajectory_key)
            )
        ).scalar_one_or_none()


async def session_row(h, key: str, trajectory_key: str = HITTEPLAN) -> Session:
    async with h.ctx.db.sessionmaker() as s:
        return (
            await s.execute(
                select(Session).join(Trajectory, Trajectory.id == Session.trajectory_id)
                .where(Session.key == key, Trajectory.key == trajectory_key)
            )
        ).scalar_one()


async def count(h, model) -> int:
    async with h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


# -- the CLI -------------------------------------------------------------------------------


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


_DROP = ("SLACK_", "TEAMS_", "SMTP_", "MAIL_", "IMAP_")
_DROP_EXACT = {"DATABASE_URL", "PUBLIC_URL", "PORT", "QUIET_HOURS", "SCHEDULER_INTERVAL"}


def cli_env(**extra: str) -> dict[str, str]:
    """A clean environment: no Slack or database settings unless given (empty values
    also keep a stray .env from filling them in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP) and k not in _DROP_EXACT}
    env.update({"SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": "", "PUBLIC_URL": ""})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env["SLACK_LOOKUP_PER_MINUTE"] = "600000"  # unpaced e-mail look-ups
    env.update(extra)
    return env


def harness_env(h, **extra: str) -> dict[str, str]:
    """The CLI's environment for the harness: same database, the emulator as Slack."""
    return cli_env(
        DATABASE_URL=h.bot.settings.database_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=h.emu.api_url,
        DIALOOGBOT_NOW=h.clock.now().isoformat(),  # the CLI runs on the harness clock
        **extra,
    )


async def run_cli(*args: str, env: dict[str, str], cwd: Path | str, timeout: float = 60.0) -> CliResult:
    """``python -m bot ARGS`` in a subprocess (async: the emulator keeps serving meanwhile)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env, cwd=str(cwd),
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    return CliResult(proc.returncode, out.decode(), err.decode())


ERROR_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<field>[^:]+): (?P<message>.+)$")


def error_lines(text: str, filename: str) -> list[re.Match]:
    return [m for line in text.splitlines() if (m := ERROR_LINE.match(line)) and m["file"] == filename]


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


# -- fixtures -------------------------------------------------------------------------------

PUBLIC = "https://dialoog.example"


@pytest.fixture
def public_url() -> str | None:
    """Calendar entries as links by default (fast: no file uploads); the tests of
    calendar files override this with None."""
    return PUBLIC


# -- more bot processes -------------------------------------------------------------------


class BotProcess:
    """A bot like the harness's (same settings), started and stopped by the test: a
    restart, or a second process on the same database."""

    def __init__(self, emu: SlackEmulator, database_url: str, clock, users: dict[str, str],
                 public_url: str | None = PUBLIC):
        self.emu, self.database_url, self.clock, self.users = emu, database_url, clock, users
        self.public_url = public_url
        self.server = None
        self.h = None

    async def start(self):
        from aiohttp.test_utils import TestServer

        from bot.app import bootstrap, web_app
        from bot.settings import load_settings
        from tests.conftest import Harness
        from tests.slack_emulator import SlackDriver

        env = {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": self.emu.api_url,
            "DATABASE_URL": self.database_url,
            "SLACK_PROCESS_BEFORE_RESPONSE": "true",
            "QUIET_HOURS": "08:00-18:00",
            "SLACK_LOOKUP_PER_MINUTE": "600000",  # unpaced look-ups (tests/e2e/test_lookups.py paces)
        }
        if self.public_url:
            env["PUBLIC_URL"] = self.public_url
        bot = bootstrap(load_settings(env), clock=self.clock)
        self.server = TestServer(web_app(bot, run_background=False), host="127.0.0.1")
        await self.server.start_server()
        drv = SlackDriver(str(self.server.make_url("/slack/events")), SIGNING_SECRET, emulator=self.emu)
        self.h = Harness(emu=self.emu, bot=bot, drv=drv, clock=self.clock, users=self.users)
        return self.h

    async def stop(self) -> None:
        await self.h.drv.close()
        await self.server.close()
        await self.h.bot.ctx.db.dispose()

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()


def without_pacing(h) -> None:
    """Switch off the client-side pacing (Tier 3: one update every 1.2 s, one file every
    1.2 s) for tests about something else; the rate-limit tests keep the real pacer."""
    from scheduling.ratelimit import Pacer

    h.bot.dispatcher.pacer = Pacer({}, default_per_minute=600_000)
