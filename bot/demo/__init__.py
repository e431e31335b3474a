"""The sandbox: ``python -m bot demo`` runs the whole bot on this machine, without a
Slack, Teams or mail account.

:func:`start_demo` makes a fresh SQLite database in a temporary folder, starts an SMTP
server on loopback (:class:`bot.demo.inbox.Inbox`), imports ``examples/hitteplan.yaml``
with everyone on e-mail, sends the invitations of the first session, and serves the bot
with the demo pages (``/demo``) on ``port``.  The clock is a :class:`ManualClock`;
:meth:`Demo.move_to` and :meth:`Demo.advance` move it and run the sweep and the dispatcher,
so reminders, evaluations and escalations happen at once.  ``await demo.stop()`` ends it
all and removes the folder.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from aiohttp import web
from sqlalchemy import and_, func, or_, select

from bot.app import Bot, bootstrap, web_app
from bot.clock import ManualClock
from bot.demo.inbox import Inbox
from bot.models import OutboxMessage, Person, ScheduledTask, Session, Trajectory
from bot.settings import Settings, load_settings

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "examples" / "hitteplan.yaml"
TIMEZONE = ZoneInfo("Europe/Amsterdam")
# Two weeks before the first session of the example (9 March 2027, 14:00).
START = datetime(2027, 2, 23, 10, 0, tzinfo=TIMEZONE)
MAIL_FROM = "Dialoogbot Demo <dialoog@demo.example>"


def demo_settings(port: int, folder: Path, smtp_url: str) -> Settings:
    """The demo's settings, built from nothing (the environment is never read)."""
    return load_settings({
        "DATABASE_URL": f"sqlite:///{folder / 'demo.db'}",
        "PORT": str(port),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "SMTP_URL": smtp_url,
        "MAIL_FROM": MAIL_FROM,
        "MAIL_PER_MINUTE": "6000",
        "QUIET_HOURS": "off",
        "SCHEDULER_INTERVAL": "5",
    }, dotenv=False)


def everyone_on_email(folder: Path) -> Path:
    """The example file with ``platform: email`` for every person."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for person in data["people"]:
        person["platform"] = "email"
    path = folder / "hitteplan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Demo:
    bot: Bot
    clock: ManualClock
    inbox: Inbox
    url: str  # http://127.0.0.1:<port>
    folder: Path
    trajectory_key: str
    runner: web.AppRunner | None = None

    @property
    def ctx(self):
        return self.bot.ctx

    async def people(self) -> list[Person]:
        async with self.ctx.db.sessionmaker() as s:
            return list((await s.execute(
                select(Person).join(Trajectory).where(Trajectory.key == self.trajectory_key, Person.active.is_(True))
                .order_by(Person.name)
            )).scalars())

    async def trekker(self) -> Person:
        return next(p for p in await self.people() if "trekker" in (p.roles or []))

    async def next_session(self) -> Session | None:
        """The first session that has not started yet."""
        async with self.ctx.db.sessionmaker() as s:
            return (await s.execute(
                select(Session).join(Trajectory)
                .where(Trajectory.key == self.trajectory_key, Session.cancelled.is_(False), Session.starts_at > self.clock.now())
                .order_by(Session.starts_at).limit(1)
            )).scalar_one_or_none()

    async def run_due(self) -> None:
        """The scheduler's sweep, then the dispatcher, for the clock's "now"; returns when
        everything due is sent (the mails are in the inbox)."""
        from scheduling.sweep import sweep

        await sweep(self.ctx)
        await self.settle()

    async def settle(self, rounds: int = 300) -> None:
        """Send what is due now and wait for sends in flight (the background dispatcher's
        too), at most ``rounds`` short pauses."""
        for _ in range(rounds):
            await self.bot.dispatcher.drain()
            if not await self._unsent():
                return
            await asyncio.sleep(0.05)

    async def _unsent(self) -> int:
        now = self.clock.now()
        async with self.ctx.db.sessionmaker() as s:
            return (await s.execute(select(func.count()).select_from(OutboxMessage).where(or_(
                OutboxMessage.status == "sending",
                and_(OutboxMessage.status == "pending", OutboxMessage.not_before <= now),
            )))).scalar_one()

    async def move_to(self, when: datetime, max_stops: int = 1000) -> None:
        """Move the clock to ``when`` (never back), stopping at every scheduled moment on
        the way, so each reminder goes out at its own time and in order (a jump would
        send the 7-day and the 2-day reminder at once)."""
        for _ in range(max_stops):
            await self.settle()  # nothing in flight while the clock jumps past its lease
            stop = await self._next_task_before(when)
            if stop is None:
                break
            self.clock.set(stop)
            await self.run_due()
        if when > self.clock.now():
            self.clock.set(when)
        await self.run_due()

    async def _next_task_before(self, when: datetime) -> datetime | None:
        from bot.clock import as_utc

        async with self.ctx.db.sessionmaker() as s:
            due = (await s.execute(select(func.min(ScheduledTask.due_at)).where(
                ScheduledTask.done_at.is_(None), ScheduledTask.due_at > self.clock.now(), ScheduledTask.due_at <= when,
            ))).scalar_one_or_none()
        return as_utc(due) if due is not None else None

    async def advance(self, delta: timedelta) -> None:
        await self.move_to(self.clock.now() + delta)

    async def sign_in_url(self) -> str:
        """A fresh sign-in link to the trekker's dashboard (15 minutes, once)."""
        from bot.web.dashboard_auth import sign_in_link

        return await sign_in_link(self.ctx, await self.trekker(), "email")

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()  # stops the dispatcher and the scheduler, closes the database
        self.inbox.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


async def start_demo(port: int, invite: bool = True) -> Demo:
    """Everything of the demo, serving on 127.0.0.1:``port``; ``invite``: send the first
    session's invitations at once (so the inboxes hold mail from the start)."""
    from bot import db as dbmod
    from bot.demo import banner, pages
    from bot.importer import import_file
    from bot.trajectory_file import load

    folder = Path(tempfile.mkdtemp(prefix="dialoogbot-demo-"))
    inbox = Inbox()
    inbox.start()
    settings = demo_settings(port, folder, inbox.url)
    await asyncio.to_thread(dbmod.upgrade, settings.database_url)  # alembic runs its own loop
    clock = ManualClock(START)
    bot = bootstrap(settings, clock=clock)
    parsed, errors = load(everyone_on_email(folder))
    if errors:
        raise RuntimeError(f"the example file has errors: {errors[0]}")
    await import_file(bot.ctx, parsed)
    demo = Demo(bot, clock, inbox, settings.public_url, folder, parsed.trajectory.key)
    if invite:
        await send_invitations(demo)
    app = web_app(bot)
    banner.install(app)
    pages.register(app, demo)
    demo.runner = web.AppRunner(app)
    await demo.runner.setup()
    await web.TCPSite(demo.runner, "127.0.0.1", port).start()
    return demo


async def send_invitations(demo: Demo) -> None:
    """The trekker invites everyone to the next session (the chat's ``uitnodigen``)."""
    from bot.identity import email
    from bot.interactions import invitations

    session = await demo.next_session()
    trekker = await demo.trekker()
    if session is not None:
        await invitations.invite(demo.ctx, email(trekker.email), trekker.trajectory_id, session.key)
        await demo.settle()
