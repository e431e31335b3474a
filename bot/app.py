"""The one place that wires the app: settings, database, chat, Slack, scheduler."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from functools import partial

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import identity, lookups
from bot.privacy import logs as privacy_logs
from bot.chat import Chat
from bot.clock import Clock, ManualClock, SystemClock
from bot.context import Context
from bot.db import Database
from bot.languages import LanguageCache
from bot.services import channels
from bot.settings import Settings
from bot.web.links import LinkSigner
from bot.slack.chat import SlackChat
from bot.slack.people import SlackPeopleFinder, pacer_for
from scheduling.dispatcher import Dispatcher
from scheduling.ratelimit import Pacer

log = logging.getLogger("dialoogbot")


@dataclass
class Bot:
    settings: Settings
    ctx: Context
    dispatcher: Dispatcher
    slack: AsyncApp | None = None
    background: list[asyncio.Task] = field(default_factory=list)
    scheduler: object | None = None
    teams: object | None = None  # bot.teams.agent.TeamsApp when Teams is configured
    # Slack's answer to auth.test at start-up (bot/serve.py): "ok", "invalid_auth" (or another
    # refusal), "unreachable", "not_configured"; None: not checked (tests, in-process apps).
    slack_state: str | None = None
    # The SMTP server's answer at start-up (bot/serve.py): "ok" or an error code; None: not checked.
    mail_state: str | None = None


def build_pacer(settings: Settings, db: Database | None = None) -> Pacer:
    """The pacer of the outbox; with ``db`` its limits hold for all processes on it together."""
    from scheduling.rate_slots import SlotStore

    return Pacer(
        {
            "slack:direct": settings.slack_post_per_minute,
            "slack:channel": settings.slack_post_per_minute,
            "slack:update": settings.slack_update_per_minute,
            # One file = conversations.open (Tier 3, 50+/min) + files.* v2 (Tier 4, 100+/min).
            "slack:file": 50,
            # Teams: 50 requests per second per app per tenant; a message to someone new
            # is two (create the 1:1 conversation, then post), so 20 messages a second.
            "teams:direct": 1200,
            "teams:update": 600,
            "teams:file": 600,
            # 1,800 operations per hour per conversation thread: a channel gets 30 a minute.
            "teams:channel": 30,
            # E-mail: what the relay allows (MAIL_PER_MINUTE); an "update" sends nothing.
            "email:direct": settings.mail_per_minute,
            "email:file": settings.mail_per_minute,
            "email:update": 600_000,
            # The check before a message in doubt is sent again (Tier 3 each).
            "slack:conversations.open": settings.slack_lookup_per_minute,
            "slack:conversations.history": settings.slack_lookup_per_minute,
        },
        shared=SlotStore(db) if db is not None else None,
    )


def bootstrap(
    settings: Settings,
    clock: Clock | None = None,
    chats: dict[str, Chat] | None = None,
    teams_tokens=None,
) -> Bot:
    """Wire everything; tests call this with their own clock, emulator URLs and (for
    Teams) a token source returning a fixed test token."""
    privacy_logs.install()
    db = Database(settings.database_url)
    if clock is None:
        clock = ManualClock(settings.frozen_now) if settings.frozen_now else SystemClock()
    ctx = Context(settings=settings, db=db, clock=clock)
    slack_app = None
    teams_app = None
    if chats is None:
        chats = {}
        if settings.slack_bot_token:
            # No retry handlers: a post that timed out or lost its connection may have
            # arrived; the dispatcher decides (it checks before sending such a row again).
            client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, retry_handlers=[])
            chats["slack"] = SlackChat(client, timeout=settings.slack_timeout)
            slack_app = build_slack_app(settings, ctx, client)
        if settings.teams_configured:
            teams_app = build_teams(settings, ctx, teams_tokens)
            chats["teams"] = teams_app.chat
        if settings.mail_configured:
            chats["email"] = build_mail(settings, ctx)
    ctx.chats = chats
    identity.use_email("email" in chats)
    if "slack" in chats:  # Teams links people from the roster and on first contact (bot.teams.people)
        ctx.finders["slack"] = SlackPeopleFinder(chats["slack"], pacer_for(settings.slack_lookup_per_minute))
        ctx.relookups["slack"] = partial(lookups.retry_slack, ctx)
    if hasattr(chats.get("teams"), "roster"):  # the roster is read again for people it left out
        from bot.teams.relookup import retry_teams

        ctx.relookups["teams"] = partial(retry_teams, ctx, chats["teams"])
    dispatcher = Dispatcher(db, chats, ctx.clock, build_pacer(settings, db), settings.dispatch_concurrency)
    ctx.wake_dispatcher = dispatcher.wake
    dispatcher.window.window = settings.sending_window  # checked again at send time
    dispatcher.on_failed = lambda row, outcome: channels.report_failure(ctx, row, outcome.error)
    db.after_outbox_commit(dispatcher.wake)
    ctx.languages = LanguageCache(db)
    if settings.secret_key:
        ctx.links = LinkSigner(settings.secret_key, settings.public_url)
    return Bot(settings=settings, ctx=ctx, dispatcher=dispatcher, slack=slack_app, teams=teams_app)


def build_mail(settings: Settings, ctx: Context):
    """The e-mail chat (SMTP); personal links signed with SECRET_KEY or the kept key."""
    from bot.mail.chat import MailChat
    from bot.mail.lookup import Lookup, link_signer

    return MailChat(settings, ctx.clock, partial(link_signer, ctx), Lookup(ctx).details)


def build_teams(settings: Settings, ctx: Context, tokens=None):
    """Teams at /api/messages (Agents SDK) and the Teams chat for the outbox."""
    from bot.teams import people
    from bot.teams.agent import build_teams_app
    from bot.teams.auth import auth_configuration, host_validator, token_source, warn_if_anonymous
    from bot.teams.chat import TeamsChat

    warn_if_anonymous(settings)
    tokens = tokens or token_source(settings)
    chat = TeamsChat(
        app_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        service_url=settings.teams_service_url,
        tokens=tokens,
        references=partial(people.reference_for, ctx.db),
        remember_conversation=partial(people.remember_conversation, ctx.db),
        known_service_urls=partial(people.known_service_urls, ctx.db),
        host_allowed=host_validator(settings).is_allowed,
    )
    from handlers.teams import register_all

    return build_teams_app(ctx, chat, tokens, auth_configuration(settings), register_all)


def build_slack_app(settings: Settings, ctx: Context, client: AsyncWebClient) -> AsyncApp:
    from handlers import register_all

    app = AsyncApp(
        # Without a name Bolt reads the whole call stack (inspect.stack: 60 ms).  Bolt sets
        # the level of the logger of that name, so not "dialoogbot" (our own loggers' parent).
        name="dialoogbot-slack",
        client=client,
        # Socket Mode requests carry no signature; Bolt checks only HTTP requests, and the
        # HTTP endpoint refuses everything when no secret is set (slack_endpoint).
        signing_secret=settings.slack_signing_secret or "unset",
        process_before_response=settings.slack_process_before_response,
    )
    register_all(app, ctx)
    return app


def web_app(bot: Bot, run_background: bool = True) -> web.Application:
    """The aiohttp application: Slack, health, calendar files (and Teams)."""
    from handlers import http

    app = web.Application()
    app[http.BOT_KEY] = bot
    http.register(app, bot)
    if bot.teams is not None:
        # POST /api/messages behind the SDK's JWT middleware (a sub-app: the check
        # guards /api/messages only, never /healthz or /slack/events).
        app.add_subapp("/api", bot.teams.web_subapp())
    app.on_startup.append(lambda _app: _warm_up(bot))
    if run_background:
        app.on_startup.append(lambda _app: _start_background(bot))
        app.on_cleanup.append(lambda _app: _stop_background(bot))
    return app


async def _warm_up(bot: Bot) -> None:
    """Load before serving what the first request would load on the event loop, holding up
    every other request (up to a second on a busy machine): the text catalogs, babel's number
    and date data and the Dutch holidays (the sending window, the reminders of an invite)."""
    from bot.formatting import format_count, format_date
    from bot.i18n import LANGUAGES, catalog
    from bot.quiet_hours import dutch_holidays

    today = bot.ctx.now().date()  # the injected clock, as everywhere
    for lang in LANGUAGES:
        catalog(lang)
        format_count(2000, lang)
        format_date(today, lang)
    for year in (today.year, today.year + 1):
        dutch_holidays(year)


async def _start_background(bot: Bot) -> None:
    from scheduling.scheduler import start_scheduler

    bot.background.append(asyncio.create_task(bot.dispatcher.run_forever(), name="dispatcher"))
    bot.scheduler = start_scheduler(bot.ctx)


async def _stop_background(bot: Bot) -> None:
    bot.dispatcher.stop()
    await bot.ctx.jobs.stop()  # their work is resumed by the sweep (bot.jobs)
    if bot.scheduler is not None:
        from scheduling.scheduler import stop_scheduler

        await stop_scheduler(bot.scheduler)
    for task in bot.background:
        task.cancel()
    await asyncio.gather(*bot.background, return_exceptions=True)
    if bot.teams is not None:
        await bot.teams.chat.close()
    await bot.ctx.db.dispose()
    from bot import chart_worker

    chart_worker.shutdown()
