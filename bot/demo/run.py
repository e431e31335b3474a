"""``python -m bot demo``: refuse production settings, start the demo, print its URL,
run until Ctrl-C or SIGTERM, then remove everything it made."""

from __future__ import annotations

import asyncio
import sys

from bot.i18n import t
from bot.settings import Settings

EXIT_INVALID = 2


def production_setting(settings: Settings) -> str | None:
    """The setting that says this is a real installation, or None.  The demo makes its
    own database and mail server; it never touches a real one."""
    if not settings.is_sqlite:
        return "DATABASE_URL"
    if settings.smtp is not None:
        return "SMTP_URL"
    return None


def run_demo(settings: Settings, lang: str) -> int:
    from bot.cli import check_port

    setting = production_setting(settings)
    if setting is not None:
        print(t(lang, "demo.cli.production", setting=setting), file=sys.stderr)
        return EXIT_INVALID
    check_port(settings.port)  # in use: one line from bot.cli, as for serve
    asyncio.run(_serve(settings.port, lang))
    return 0


async def _serve(port: int, lang: str) -> None:
    from bot.demo import start_demo
    from bot.serve import _stop_requested

    demo = await start_demo(port)
    try:
        print(t(lang, "demo.cli.ready", url=demo.url), flush=True)
        await _stop_requested()
        print(t(lang, "demo.cli.stopping"), flush=True)
    finally:
        await demo.stop()
