"""The bot behind a real HTTP server whose PUBLIC_URL is that server, so the sign-in
links the bot hands out can be followed; a small cookie-keeping web client."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from http.cookies import SimpleCookie

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.app import bootstrap, web_app
from bot.settings import load_settings
from scheduling.ratelimit import Pacer
from tests.conftest import SIGNING_SECRET, TOKEN, Harness, example, make_emulator_users, people_of
from tests.slack_emulator import SlackDriver, SlackEmulator

SECRET = "test-dashboard-secret"
LINK = re.compile(r"https?://[^\s>|]+/dashboard/in/[A-Za-z0-9_-]+")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def bound_socket() -> socket.socket:
    """A listening address held from the start: PUBLIC_URL needs the port before the
    server starts, and a port only probed could be taken by another test meanwhile."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Dash:
    h: Harness
    base: str


@pytest.fixture
def dashboard_host() -> str:
    return "127.0.0.1"


@pytest.fixture
async def dash(database_url, clock, dashboard_host, unknown_emails, extra_env):
    """``unknown_emails`` (not in Slack: on e-mail when SMTP_URL is in ``extra_env``) and
    ``extra_env`` as for ``harness`` (tests/conftest.py)."""
    held = bound_socket()
    base = f"http://{dashboard_host}:{held.getsockname()[1]}"
    async with SlackEmulator(token=TOKEN) as emu:
        people = people_of(example("hitteplan.yaml")) + people_of(example("neerslag.yaml"))
        users = make_emulator_users(emu, people, unknown_emails)
        emu.add_channel("C0HITTEPLAN", "hitteplan", members=["UBOT"])
        emu.add_channel("C0NEERSLAG", "risicodialoog-neerslag", members=["UBOT"])
        env = {
            "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": emu.api_url,
            "DATABASE_URL": database_url, "SLACK_PROCESS_BEFORE_RESPONSE": "true", "QUIET_HOURS": "08:00-18:00",
            "PUBLIC_URL": base, "SECRET_KEY": SECRET, "SLACK_LOOKUP_PER_MINUTE": "600000",  # unpaced look-ups
            **extra_env,
        }
        bot = bootstrap(load_settings(env), clock=clock)
        bot.dispatcher.pacer = Pacer({}, default_per_minute=600_000)
        server = TestServer(web_app(bot, run_background=False), host="127.0.0.1", port=held.getsockname()[1],
                            socket_factory=lambda *_: held)
        await server.start_server()
        try:
            async with SlackDriver(str(server.make_url("/slack/events")), SIGNING_SECRET, emulator=emu) as drv:
                yield Dash(Harness(emu=emu, bot=bot, drv=drv, clock=clock, users=users), base)
        finally:
            await server.close()
            await bot.ctx.db.dispose()


@dataclass
class Page:
    status: int
    text: str
    headers: dict
    body: bytes = b""

    @property
    def csrf(self) -> str:
        found = CSRF.search(self.text)
        assert found, self.text[:2000]
        return found.group(1)


class Web:
    """An HTTP client that keeps the dashboard cookie itself (aiohttp's jar would not
    send a Secure cookie over http://127.0.0.1) and never follows redirects."""

    def __init__(self, base: str):
        self.base = base
        self.cookie: str | None = None
        self.set_cookie: str | None = None
        self.http = aiohttp.ClientSession()

    async def close(self) -> None:
        await self.http.close()

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    async def _read(self, response) -> Page:
        body = await response.read()
        for header in response.headers.getall("Set-Cookie", []):
            self.set_cookie = header
            jar = SimpleCookie(header)
            for morsel in jar.values():
                self.cookie = morsel.value or None
        return Page(response.status, body.decode("utf-8", "replace"), dict(response.headers), body)

    def _headers(self) -> dict:
        return {"Cookie": f"dialoog_dashboard={self.cookie}"} if self.cookie else {}

    async def get(self, path: str) -> Page:
        async with self.http.get(self._url(path), headers=self._headers(), allow_redirects=False) as r:
            return await self._read(r)

    async def post(self, path: str, data=None, origin: str | None = None) -> Page:
        headers = {**self._headers(), **({"Origin": origin} if origin else {})}
        async with self.http.post(self._url(path), data=data or {}, headers=headers, allow_redirects=False) as r:
            return await self._read(r)


@pytest.fixture
async def web(dash):
    client = Web(dash.base)
    yield client
    await client.close()


async def link_for(dash: Dash, email: str, text: str = "dashboard") -> str:
    response = await dash.h.command(email, text)
    reply = dash.h.reply(response)
    found = LINK.search(reply)
    assert found, reply
    return found.group(0)


async def sign_in(dash: Dash, web: Web, email: str, text: str = "dashboard") -> Page:
    link = await link_for(dash, email, text)
    page = await web.get(link)
    assert page.status == 200, page.text
    done = await web.post(link, {"csrf": page.csrf})
    assert done.status == 303, done.text
    return done
