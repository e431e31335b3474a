"""Shared fixtures: a real database (SQLite; PostgreSQL when TEST_POSTGRES_URL is set),
the Slack emulator, and the real bot behind a real HTTP server, driven by signed requests."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestServer

from bot import db as dbmod
from bot.app import Bot, bootstrap, web_app
from bot.clock import ManualClock
from bot.importer import import_file
from bot.settings import load_settings
from bot.trajectory_file import load, parse
from scheduling.ratelimit import Pacer
from scheduling.sweep import sweep
from tests.slack_emulator import SlackDriver, SlackEmulator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
AMS = ZoneInfo("Europe/Amsterdam")
SIGNING_SECRET = "test-signing-secret"
TOKEN = "xoxb-test"
POSTGRES = os.environ.get("TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES else [])
FAST_LOOKUPS = "600000"  # SLACK_LOOKUP_PER_MINUTE for tests: e-mail look-ups unpaced


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def example(name: str) -> Path:
    return EXAMPLES / name


def pg_url(dbname: str) -> str:
    base, _, _ = POSTGRES.rpartition("/")
    return f"{base}/{dbname}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(POSTGRES.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """One SQLite file migrated once per test run; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    dbmod.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def migrated_postgres() -> str | None:
    """One PostgreSQL template database migrated once; each test gets ``CREATE DATABASE ... TEMPLATE``."""
    if not POSTGRES:
        yield None
        return
    name = f"tpl_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    dbmod.upgrade(pg_url(name))
    yield name
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def pytest_generate_tests(metafunc):
    """Every database test runs on SQLite, and on PostgreSQL too when TEST_POSTGRES_URL is
    set, except those marked ``one_database``: tests of how a platform shows or parses
    something, whose use cases and queries run on both databases in other tests."""
    if "database_url" in metafunc.fixturenames:
        one = metafunc.definition.get_closest_marker("one_database") is not None
        metafunc.parametrize("database_url", BACKENDS[:1] if one else BACKENDS, indirect=True)


@pytest.fixture
async def database_url(request, tmp_path, migrated_sqlite, migrated_postgres):
    """A fresh, migrated database for every test."""
    if request.param == "sqlite":
        target = tmp_path / "bot.db"
        shutil.copyfile(migrated_sqlite, target)
        yield f"sqlite:///{target}"
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_postgres}"')
    yield pg_url(name)
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def _email_routing_reset():
    """E-mail routing is per process (``identity.use_email``, set by bootstrap): a test
    that wired a bot with mail settings must not leave it on for the next one."""
    yield
    from bot import identity

    identity.use_email(False)


def unpace_unless_marked(request, bot) -> None:
    """Client-side pacing waits in real time; only the rate-limit tests (marked ``paced``)
    keep it."""
    if request.node.get_closest_marker("paced") is None:
        bot.dispatcher.pacer = Pacer({}, default_per_minute=600_000)


@pytest.fixture
def clock() -> ManualClock:
    # Monday 1 February 2027, 09:00 in Amsterdam: weeks before the example sessions.
    return ManualClock(local(2027, 2, 1, 9, 0))


def people_of(path: Path) -> list[tuple[str, str]]:
    parsed, errors = load(path)
    assert not errors, errors
    return [(p.email, p.name) for p in parsed.people]


@dataclass
class Harness:
    emu: SlackEmulator
    bot: Bot
    drv: SlackDriver
    clock: ManualClock
    users: dict[str, str]  # e-mail -> Slack user id

    @property
    def ctx(self):
        return self.bot.ctx

    def uid(self, email: str) -> str:
        return self.users[email]

    async def import_example(self, name: str = "hitteplan.yaml", text: str | None = None):
        path = example(name)
        parsed, errors = parse(text if text is not None else path.read_text(), str(path))
        assert not errors, [e.format() for e in errors]
        return await import_file(self.ctx, parsed)

    async def drain(self) -> int:
        """Send what the outbox holds that is due now."""
        return await self.bot.dispatcher.drain()

    async def tick(self, **delta: float) -> int:
        """Move the clock, run the sweep and the dispatcher as the scheduler would."""
        if delta:
            self.clock.advance(**delta)
        await sweep(self.ctx)
        return await self.drain()

    async def run_until(self, when: datetime, step_hours: float = 1.0) -> None:
        """Move the clock in steps up to ``when``, sweeping and sending at every step."""
        while self.clock.now() < when:
            step = min(step_hours * 3600, (when - self.clock.now()).total_seconds())
            await self.tick(seconds=step)

    async def command(self, email: str, text: str, **kwargs):
        response = await self.drv.command(self.uid(email), text, **kwargs)
        assert response.status == 200, response.body_text
        return response

    def replies(self, response) -> list[str]:
        """The text of what the bot answered through the command's response_url."""
        return [r.get("text", "") for r in self.emu.responses(response.response_url)]

    def reply(self, response) -> str:
        texts = self.replies(response)
        assert texts, "the bot did not answer"
        return "\n".join(texts)


def make_emulator_users(emu: SlackEmulator, people: list[tuple[str, str]], unknown: set[str]) -> dict[str, str]:
    users = {}
    for index, (email, name) in enumerate(people, start=1):
        if email in unknown:
            continue
        user_id = f"U{index:04d}"
        emu.add_user(user_id, email, name)
        users[email] = user_id
    return users


@pytest.fixture
def unknown_emails() -> set[str]:
    """E-mail addresses the Slack workspace does not know (override per test module)."""
    return set()


@pytest.fixture
def public_url() -> str | None:
    return None


@pytest.fixture
def extra_env() -> dict[str, str]:
    """More settings for the bot under test (e.g. SMTP_URL for e-mail; override per module)."""
    return {}


@pytest.fixture
async def harness(request, database_url, clock, unknown_emails, public_url, extra_env):
    async with SlackEmulator(token=TOKEN) as emu:
        people = people_of(example("hitteplan.yaml")) + people_of(example("neerslag.yaml"))
        users = make_emulator_users(emu, people, unknown_emails)
        # The examples' status channels, with the bot as a member.
        emu.add_channel("C0HITTEPLAN", "hitteplan", members=["UBOT"])
        emu.add_channel("C0NEERSLAG", "risicodialoog-neerslag", members=["UBOT"])
        env = {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": emu.api_url,
            "DATABASE_URL": database_url,
            "SLACK_PROCESS_BEFORE_RESPONSE": "true",
            "QUIET_HOURS": "08:00-18:00",
            "SLACK_LOOKUP_PER_MINUTE": FAST_LOOKUPS,
        }
        if public_url:
            env["PUBLIC_URL"] = public_url
        env.update(extra_env)
        bot = bootstrap(load_settings(env), clock=clock)
        unpace_unless_marked(request, bot)
        server = TestServer(web_app(bot, run_background=False), host="127.0.0.1")
        await server.start_server()
        try:
            async with SlackDriver(str(server.make_url("/slack/events")), SIGNING_SECRET, emulator=emu) as drv:
                yield Harness(emu=emu, bot=bot, drv=drv, clock=clock, users=users)
        finally:
            await server.close()
            await bot.ctx.db.dispose()
