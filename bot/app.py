"""The one place that wires the app: settings, database, chat, Slack, scheduler."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat import Chat
from bot.clock import Clock, SystemClock
from bot.context import Context
from bot.db import Database
from bot.settings import Settings
from bot.slack.chat import SlackChat
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


BOT_KEY: web.AppKey["Bot"] = web.AppKey("bot")


def build_pacer(settings: Settings) -> Pacer:
    return Pacer(
        {
            "slack:direct": settings.slack_post_per_minute,
            "slack:channel": settings.slack_post_per_minute,
            "slack:update": settings.slack_update_per_minute,
            "slack:file": 20,
        }
    )


def bootstrap(settings: Settings, clock: Clock | None = None, chats: dict[str, Chat] | None = None) -> Bot:
    """Wire everything; tests call this with their own clock and emulator URL."""
    db = Database(settings.database_url)
    ctx = Context(settings=settings, db=db, clock=clock or SystemClock())
    slack_app = None
    if chats is None:
        chats = {}
        if settings.slack_bot_token:
            client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
            chats["slack"] = SlackChat(client)
            slack_app = build_slack_app(settings, ctx, client)
    ctx.chats = chats
    dispatcher = Dispatcher(db, chats, ctx.clock, build_pacer(settings), settings.dispatch_concurrency)
    ctx.wake_dispatcher = dispatcher.wake
    return Bot(settings=settings, ctx=ctx, dispatcher=dispatcher, slack=slack_app)


def build_slack_app(settings: Settings, ctx: Context, client: AsyncWebClient) -> AsyncApp:
    from handlers import register_all

    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret or "socket-mode-has-no-signing-secret",
        request_verification_enabled=bool(settings.slack_signing_secret),
        process_before_response=settings.slack_process_before_response,
    )
    register_all(app, ctx)
    return app


def web_app(bot: Bot, run_background: bool = True) -> web.Application:
    """The aiohttp application: Slack, health, calendar files (and Teams)."""
    from handlers import http

    app = web.Application()
    app[BOT_KEY] = bot
    http.register(app, bot)
    if run_background:
        app.on_startup.append(_start_background)
        app.on_cleanup.append(_stop_background)
    return app


async def _start_background(app: web.Application) -> None:
    from scheduling.scheduler import start_scheduler

    bot: Bot = app[BOT_KEY]
    bot.background.append(asyncio.create_task(bot.dispatcher.run_forever(), name="dispatcher"))
    bot.scheduler = start_scheduler(bot.ctx)


async def _stop_background(app: web.Application) -> None:
    bot: Bot = app[BOT_KEY]
    bot.dispatcher.stop()
    if bot.scheduler is not None:
        bot.scheduler.shutdown(wait=False)
    for task in bot.background:
        task.cancel()
    await asyncio.gather(*bot.background, return_exceptions=True)
    await bot.ctx.db.dispose()


async def slack_endpoint(request: web.Request) -> web.Response:
    bot: Bot = request.app[BOT_KEY]
    if bot.slack is None:
        return web.json_response({"ok": False, "error": "slack_not_configured"}, status=503)
    bolt_request = await to_bolt_request(request)
    bolt_response = await bot.slack.async_dispatch(bolt_request)
    return await to_aiohttp_response(bolt_response)
