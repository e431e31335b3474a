"""The Teams test harness: the real bot with Slack (emulator) and Teams (fake connector)
side by side, driven over HTTP, on the database of the ``database_url`` fixture.

Use in a test module with ``from tests.teams_connector.harness import *  # noqa``
to get the ``th`` fixture.  By default every person of the example files has a Teams
account (``29:t0001`` ...) and nobody has Slack; override ``slack_emails`` to give
some people Slack as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestServer

from bot.app import Bot, bootstrap, web_app
from bot.clock import ManualClock
from bot.importer import import_file
from bot.settings import load_settings
from bot.trajectory_file import parse
from scheduling.sweep import sweep
from tests.conftest import SIGNING_SECRET, TOKEN, example, people_of, unpace_unless_marked
from tests.slack_emulator import SlackDriver, SlackEmulator
from tests.teams_connector.driver import TeamsDriver
from tests.teams_connector.server import FakeConnector, Posted

TEAM = "19:team-hitteplan@thread.tacv2"  # the General channel has the team's id
CHANNEL = "19:kanaal-hitteplan@thread.tacv2"


@dataclass
class TeamsHarness:
    emu: SlackEmulator
    conn: FakeConnector
    bot: Bot
    drv: SlackDriver
    teams: TeamsDriver
    clock: ManualClock
    slack_users: dict[str, str]  # e-mail -> Slack id
    teams_users: dict[str, str]  # e-mail -> Teams id

    @property
    def ctx(self):
        return self.bot.ctx

    def tid(self, email: str) -> str:
        return self.teams_users[email]

    def uid(self, email: str) -> str:
        return self.slack_users[email]

    async def import_example(self, name: str = "hitteplan.yaml", text: str | None = None):
        path = example(name)
        parsed, errors = parse(text if text is not None else path.read_text(), str(path))
        assert not errors, [e.format() for e in errors]
        return await import_file(self.ctx, parsed)

    async def drain(self) -> int:
        return await self.bot.dispatcher.drain()

    async def tick(self, **delta: float) -> int:
        if delta:
            self.clock.advance(**delta)
        await sweep(self.ctx)
        return await self.drain()

    def team_of(self, emails: list[str], team: str = TEAM) -> None:
        self.conn.add_team(team, [self.tid(e) for e in emails if e in self.teams_users])

    async def koppel(self, email: str, *, team: str = TEAM, channel: str = CHANNEL, words: str = "koppel"):
        """The trekker types ``@Dialoogbot koppel`` in a channel of the team."""
        return await self.teams.message(self.tid(email), words, team=team, channel=channel)

    async def say(self, email: str, text: str, **where):
        return await self.teams.message(self.tid(email), text, **where)

    def chat_with(self, email: str) -> list[Posted]:
        """What the bot posted in its 1:1 chat with the person, oldest first."""
        return self.conn.to_user(self.tid(email))

    def cards_with(self, email: str, needle: str) -> list[Posted]:
        return [p for p in self.chat_with(email) if needle in p.text]


@pytest.fixture
def slack_emails() -> set[str]:
    """Who also has a Slack account in the workspace (default: nobody)."""
    return set()


@pytest.fixture
def with_slack() -> bool:
    """False: a Teams-only bot (no Slack settings at all)."""
    return True


@pytest.fixture
def teams_token() -> str | None:
    """A fixed token for outbound calls (the fake connector then demands it); None: anonymous."""
    return None


@pytest.fixture
async def th(request, database_url, clock, slack_emails, public_url, teams_token, with_slack, extra_env):
    async with SlackEmulator(token=TOKEN) as emu, FakeConnector(require_token=teams_token) as conn:
        people = people_of(example("hitteplan.yaml")) + people_of(example("neerslag.yaml"))
        if hasattr(emu, "add_channel"):  # the status channels of the example files
            emu.add_channel("C0HITTEPLAN", "hitteplan", members=["UBOT"])
            emu.add_channel("C0NEERSLAG", "risicodialoog-neerslag", members=["UBOT"])
        slack_users: dict[str, str] = {}
        teams_users: dict[str, str] = {}
        for index, (email, name) in enumerate(people, start=1):
            if email in slack_emails and email not in slack_users:
                slack_users[email] = f"U{index:04d}"
                emu.add_user(slack_users[email], email, name)
            if email not in teams_users:
                teams_users[email] = f"29:t{index:04d}"
                conn.add_user(teams_users[email], name, email)
        env = {
            "SLACK_API_URL": emu.api_url,
            "SLACK_PROCESS_BEFORE_RESPONSE": "true",
            "DATABASE_URL": database_url,
            "QUIET_HOURS": "08:00-18:00",
            "TEAMS_SERVICE_URL": conn.url,
        }
        tokens = None
        if teams_token:
            from bot.teams.auth import fixed_token

            env.update(TEAMS_APP_ID="00000000-0000-0000-0000-000000000001", TEAMS_APP_PASSWORD="not-used", TEAMS_TENANT_ID="tenant-1")
            tokens = fixed_token(teams_token)
        else:
            env["TEAMS_ANONYMOUS"] = "true"
        if with_slack:
            env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_LOOKUP_PER_MINUTE="600000")
        if public_url:
            env["PUBLIC_URL"] = public_url
        env.update(extra_env)
        bot = bootstrap(load_settings(env, dotenv=False), clock=clock, teams_tokens=tokens)
        unpace_unless_marked(request, bot)
        server = TestServer(web_app(bot, run_background=False), host="127.0.0.1")
        await server.start_server()
        try:
            async with SlackDriver(str(server.make_url("/slack/events")), SIGNING_SECRET, emulator=emu) as drv, \
                    TeamsDriver(str(server.make_url("/api/messages")), conn) as teams:
                yield TeamsHarness(emu, conn, bot, drv, teams, clock, slack_users, teams_users)
        finally:
            await server.close()
            if bot.teams is not None:
                await bot.teams.chat.close()
            await bot.ctx.db.dispose()


__all__ = ["th", "slack_emails", "teams_token", "with_slack", "TeamsHarness", "TEAM", "CHANNEL"]
