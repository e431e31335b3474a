"""Shared set-up for the benchmarks in ``bench/`` (not a benchmark itself).

- a generated trajectory file with any number of people (the examples have ~8);
- the Slack emulator of the test suite (``tests/slack_emulator``) with those people;
- the real bot started as a separate process (``python -m bot serve``), and a bare
  Bolt AsyncApp whose listener only acks, served the same way
  (``python bench/_common.py bare-app``);
- a fresh PostgreSQL database next to a given one, dropped afterwards;
- small helpers: free ports, waiting for a server, percentiles.

Everything runs on loopback; nothing is written outside a temporary directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIGNING_SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
TZ = ZoneInfo("Europe/Amsterdam")
ORG_SIZE = 10  # people per organisation in the generated trajectory


# -- people and the trajectory file ------------------------------------------------------------


def email(i: int) -> str:
    return f"persoon{i:05d}@bench.example"


def user_id(i: int) -> str:
    return f"U{i + 10000:06d}"


def trajectory_yaml(n_people: int, key: str, session_key: str = "start", days_ahead: int = 30,
                    extra_sessions: int = 0, commitments: int = 0) -> str:
    """A valid trajectory with ``n_people`` people (person 0 is the trekker) and one
    session that invites all of them; optionally ``extra_sessions`` more sessions (each
    for a few organisations) and ``commitments`` commitments (a province-wide dialogue:
    ``trajectory_yaml(2000, key, extra_sessions=49, commitments=1000)``)."""
    starts = (datetime.now(TZ) + timedelta(days=days_ahead)).replace(hour=14, minute=0, second=0, microsecond=0)
    ends = starts + timedelta(hours=2)
    n_orgs = max(1, (n_people + ORG_SIZE - 1) // ORG_SIZE)
    lines = [
        "version: 1",
        "trajectory:",
        f"  key: {key}",
        "  title: Benchmarktraject",
        "  theme: hitte",
        "  language: nl",
        "  timezone: Europe/Amsterdam",
        "  current_phase: 2",
        "phases:",
    ]
    for number, name in ((1, "Dialogen afbakenen"), (2, "Dialogen voeren"), (3, "Keuzes vastleggen")):
        lines += [f"  {number}:", f"    name: {name}", "    starting_point: Begin.", "    result: Resultaat."]
    lines.append("organisations:")
    for o in range(n_orgs):
        lines.append(f"  - {{key: org{o:04d}, name: Organisatie {o}, kind: gemeente}}")
    lines.append("people:")
    for i in range(n_people):
        role = "trekker" if i == 0 else "deelnemer"
        lines.append(
            f"  - {{name: Persoon {i}, email: {email(i)}, organisation: org{i // ORG_SIZE:04d}, roles: [{role}]}}"
        )
    lines += [
        "sessions:",
        f"  - key: {session_key}",
        "    kind: startbijeenkomst",
        "    title: Startbijeenkomst benchmark",
        "    phase: 2",
        f"    starts: {starts:%Y-%m-%d %H:%M}",
        f"    ends: {ends:%Y-%m-%d %H:%M}",
        "    location: Stadhuis, grote zaal",
        "    invite: {roles: [trekker, deelnemer]}",
        "    agenda: |",
        "      Kennismaking en de hittekaart.",
    ]
    for k in range(extra_sessions):
        day = starts + timedelta(days=1 + k)
        orgs = ", ".join(f"org{(k * 4 + j) % n_orgs:04d}" for j in range(4))
        lines += [f"  - key: s{k:03d}", f"    title: Werksessie {k}", "    phase: 2",
                  f"    starts: {day:%Y-%m-%d %H:%M}", f"    ends: {day + timedelta(hours=2):%Y-%m-%d %H:%M}",
                  f"    invite: {{organisations: [{orgs}]}}"]
    if commitments:
        lines.append("commitments:")
    due = (starts + timedelta(days=60)).date()
    for c in range(commitments):
        i = c % n_people
        lines += [f"  - key: afspraak-{c:05d}", f"    organisation: org{i // ORG_SIZE:04d}", f"    owner: {email(i)}",
                  f"    description: Afspraak {c} uitwerken en terugkoppelen.", f"    due: {due}", "    phase: 2"]
    return "\n".join(lines) + "\n"


def add_people(emu, n_people: int) -> dict[str, str]:
    """Workspace members for the generated people; returns e-mail -> user id."""
    users = {}
    for i in range(n_people):
        emu.add_user(user_id(i), email(i), f"persoon{i}", real_name=f"Persoon {i}")
        users[email(i)] = user_id(i)
    return users


# -- settings -------------------------------------------------------------------------------------


def bot_env(api_url: str, database_url: str, **extra: str) -> dict[str, str]:
    """Environment for the bot (production defaults unless ``extra`` says otherwise)."""
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "SLACK_PROCESS_BEFORE_RESPONSE": "false",
        "QUIET_HOURS": "off",  # the benchmark may run at any hour
        "PUBLIC_URL": "https://dialoog.bench.example",  # calendar as a link, no file uploads
    }
    env.update(extra)
    return env


# -- processes and servers ------------------------------------------------------------------------


def child_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of a child process (``python -m bot ...``): ``env`` over this one's,
    with settings that would change the run blanked out.  Empty values also keep a
    developer's ``.env`` out (python-dotenv never overrides a variable that is set)."""
    blank = dict.fromkeys(("SLACK_APP_TOKEN", "DIALOOGBOT_NOW", "TEAMS_APP_ID", "TEAMS_APP_PASSWORD",
                           "TEAMS_TENANT_ID", "TEAMS_ANONYMOUS", "SCHEDULER_INTERVAL"), "")
    return {**os.environ, **blank, **env, "PYTHONPATH": str(ROOT)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server in its own process (its own event loop), logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], port: int, log_dir: Path):
        self.name, self.port = name, port
        self.log_path = log_dir / f"{name}.log"
        full_env = child_env({**env, "PORT": str(port)})
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, env=full_env, cwd=str(ROOT), stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} stopped (exit {self.proc.returncode}); see {self.log_path}:\n"
                                   + self.log_path.read_text()[-3000:])
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                await writer.wait_closed()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start within {timeout:.0f} s; see {self.log_path}")

    def log_tail(self, lines: int = 25) -> str:
        """The end of the server's log, for a report when something went wrong."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def start_bot(env: dict[str, str], log_dir: Path) -> Server:
    """The real bot, as production starts it: ``python -m bot serve``."""
    port = free_port()
    return Server("bot", [sys.executable, "-m", "bot", "serve"], env, port, log_dir)


def start_bare_app(env: dict[str, str], log_dir: Path) -> Server:
    """A bare Bolt AsyncApp (same signing secret and Web API client settings) on aiohttp."""
    port = free_port()
    return Server("bare", [sys.executable, str(Path(__file__).resolve()), "bare-app"], env, port, log_dir)


# -- the bare app (runs in its own process) ------------------------------------------------------


async def _serve_bare_app() -> None:
    """Served exactly like ``bot.serve.serve`` serves the bot: AppRunner + TCPSite, the
    Bolt aiohttp adapter, the same logging set-up as ``python -m bot``."""
    import re

    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    bolt = AsyncApp(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=os.environ.get("SLACK_PROCESS_BEFORE_RESPONSE", "false").lower() == "true",
    )

    @bolt.action(re.compile(".*"))
    async def only_ack(ack):
        await ack()

    async def endpoint(request: web.Request) -> web.Response:
        bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    app = web.Application()
    app.router.add_post("/slack/events", endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", int(os.environ["PORT"])).start()
    print(f"bare app on port {os.environ['PORT']}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


# -- figures ---------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# -- PostgreSQL ------------------------------------------------------------------------------


async def pg_admin(url: str, sql: str) -> None:
    """One statement on the database ``url`` names, outside a transaction (CREATE/DROP DATABASE)."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def fresh_postgres(url: str, name: str):
    """An empty database ``name`` on the server of ``url`` (made anew, dropped afterwards):
    every run starts from the same empty tables, whatever earlier runs left behind."""
    await pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await pg_admin(url, f'CREATE DATABASE "{name}"')
    try:
        yield f"{url.rpartition('/')[0]}/{name}"
    finally:
        await pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    if sys.argv[1:] == ["bare-app"]:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        try:
            asyncio.run(_serve_bare_app())
        except KeyboardInterrupt:
            pass
    else:
        print("usage: python bench/_common.py bare-app  (the benchmarks start it themselves)", file=sys.stderr)
        sys.exit(2)

