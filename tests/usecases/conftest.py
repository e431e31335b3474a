"""Fast tests of the use cases: the real services and database, an in-memory chat
(``RecordingChat``) instead of Slack or Teams, wired through ``bootstrap(chats=...)``."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.app import bootstrap
from bot.chat import RecordingChat
from bot.identity import User
from bot.importer import import_file
from bot.settings import load_settings
from bot.trajectory_file import parse
from tests.conftest import example, people_of, unpace_unless_marked


@dataclass
class World:
    bot: object
    chat: RecordingChat
    users: dict[str, str]  # e-mail -> Slack user id

    @property
    def ctx(self):
        return self.bot.ctx

    def user(self, email: str) -> User:
        return User("slack", self.users[email])

    async def drain(self) -> int:
        return await self.bot.dispatcher.drain()

    def sent_to(self, email: str) -> list[str]:
        """Template names of what the chat received for this person, in order."""
        uid = self.users[email]
        return [m.template for kind, target, m in self.chat.transcript if target in (uid, "D" + uid) or target.startswith("D" + uid)]


@pytest.fixture
async def world(request, database_url, clock):
    people = people_of(example("hitteplan.yaml"))
    users = {email: f"U{i:04d}" for i, (email, _name) in enumerate(people, start=1)}
    chat = RecordingChat(platform="slack", users=dict(users))
    env = {"DATABASE_URL": database_url, "QUIET_HOURS": "off", "SLACK_BOT_TOKEN": "xoxb-unused", "SLACK_LOOKUP_PER_MINUTE": "600000"}
    bot = bootstrap(load_settings(env, dotenv=False), clock=clock, chats={"slack": chat})
    unpace_unless_marked(request, bot)
    path = example("hitteplan.yaml")
    parsed, errors = parse(path.read_text(), str(path))
    assert not errors
    await import_file(bot.ctx, parsed)
    await bot.dispatcher.drain()
    chat.transcript.clear()
    try:
        yield World(bot=bot, chat=chat, users=users)
    finally:
        await bot.ctx.db.dispose()
