"""Run the bot: one aiohttp server (Slack HTTP, health, calendar), plus Socket Mode when set."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.app import bootstrap, web_app
from bot.i18n import t
from bot.settings import Settings

log = logging.getLogger("dialoogbot")


async def serve(settings: Settings, lang: str = "nl") -> None:
    bot = bootstrap(settings)
    runner = web.AppRunner(web_app(bot))
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", settings.port)
    await site.start()
    socket_handler = None
    if settings.slack_app_token and bot.slack is not None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        socket_handler = AsyncSocketModeHandler(bot.slack, settings.slack_app_token)
        await socket_handler.connect_async()
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
