"""Run the bot: one aiohttp server (Slack HTTP, health, calendar), plus Socket Mode when set."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.app import Bot, bootstrap, web_app
from bot.i18n import t
from bot.settings import Settings

log = logging.getLogger("dialoogbot")


async def check_slack(bot: Bot) -> str:
    """``auth.test`` once at start-up: "ok", "invalid_auth" (or another refusal),
    "unreachable", or "not_configured" without a bot token."""
    chat = bot.ctx.chats.get("slack")
    return "not_configured" if chat is None else await chat.check_token()


async def check_mail(bot: Bot, lang: str) -> None:
    """With e-mail configured: say when PUBLIC_URL is missing (the links need it), make
    sure personal links can be signed, and say hello to the SMTP server once."""
    chat = bot.ctx.chats.get("email")
    if chat is None:
        return
    from bot.mail.lookup import link_signer

    if not bot.settings.public_url:
        print(t(lang, "cli.mail_needs_public_url"), flush=True)
    await link_signer(bot.ctx)
    bot.mail_state = await chat.check()
    if bot.mail_state != "ok":
        print(t(lang, "cli.mail_unreachable", error=bot.mail_state), flush=True)


async def connect_socket_mode(bot: Bot, app_token: str):
    """Socket Mode through the bot's own web client (so SLACK_API_URL holds for
    ``apps.connections.open`` too). Returns the handler; ``close_async()`` it."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(bot.slack, app_token, web_client=bot.slack.client)
    await handler.connect_async()
    return handler


async def serve(settings: Settings, lang: str = "nl") -> None:
    bot = bootstrap(settings)
    slack_state = await check_slack(bot)
    if slack_state not in ("ok", "not_configured"):
        # Keep running: Teams, calendar files and /healthz still work, and /healthz
        # shows the problem to whoever watches the server.
        problem = "slack_unreachable" if slack_state == "unreachable" else "slack_refused"
        print(t(lang, f"cli.{problem}", error=slack_state), flush=True)
    await check_mail(bot, lang)
    app = web_app(bot)
    bot.slack_state = slack_state
    runner = web.AppRunner(app)  # its access log goes through bot.privacy.logs.RedactTokens
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", settings.port)
    await site.start()
    socket_handler = None
    if settings.slack_app_token and bot.slack is not None and slack_state == "ok":
        socket_handler = await connect_socket_mode(bot, settings.slack_app_token)
    mode = t(lang, "cli.socket_mode") if socket_handler else t(lang, "cli.http_mode")
    database = settings.database_url.split("@")[-1]
    print(t(lang, "cli.serving", port=settings.port, mode=mode, database=database), flush=True)
    try:
        await _stop_requested()
        print(t(lang, "cli.stopping"), flush=True)
    finally:
        if socket_handler is not None:
            await socket_handler.close_async()
        await runner.cleanup()


async def _stop_requested() -> None:
    """Wait for Ctrl-C (SIGINT) or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
            pass
    await stop.wait()
