"""Plain HTTP routes: Slack's endpoint, health, calendar files, web pages, Teams placeholder."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.i18n import t
from bot.slack.chat import TOKEN_REFUSED, UNREACHABLE
from bot.services.invitations import calendar_file as calendar_file_of
from handlers import dashboard, edge, pages
from handlers import web as personal_pages

log = logging.getLogger("dialoogbot.edge")


# The Bot (bot.app.Bot) this web application serves; bot.app.web_app sets it.
BOT_KEY: web.AppKey = web.AppKey("bot")



def register(app: web.Application, bot) -> None:
    app.router.add_post("/slack/events", slack_endpoint)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/ics/{token}.ics", calendar_file)
    pages.register(app)  # /privacy and /voorwaarden, linked from the Teams manifest
    dashboard.register(app)  # /dashboard/...: the trekker's dashboard
    personal_pages.register(app)  # /p/<token>: a person's own pages, reached from e-mail
    if getattr(bot, "teams", None) is None:
        app.router.add_post("/api/messages", teams_not_configured)  # without Teams settings: 401


async def healthz(request: web.Request) -> web.Response:
    """{"ok", "database", "slack", "teams", "email"}: 503 only when the database is down (a
    refused Slack token is not fixed by restarting, and Teams may still work); ``ok`` is
    false when Slack refused the token or could not be reached at start-up, or the SMTP
    server did not answer at start-up."""
    bot = request.app[BOT_KEY]
    slack = bot.slack_state or ("unchecked" if bot.slack is not None else "not_configured")
    teams = getattr(bot, "teams", None) is not None
    mail = getattr(bot, "mail_state", None) or ("unchecked" if "email" in bot.ctx.chats else "not_configured")
    try:
        await bot.ctx.db.ping()
    except Exception as exc:
        return web.json_response({"ok": False, "database": type(exc).__name__, "slack": slack, "teams": teams, "email": mail}, status=503)
    ok = slack not in TOKEN_REFUSED | {UNREACHABLE} and mail in ("ok", "unchecked", "not_configured")
    return web.json_response({"ok": ok, "database": "ok", "slack": slack, "teams": teams, "email": mail})


async def calendar_file(request: web.Request) -> web.Response:
    bot = request.app[BOT_KEY]
    token = request.match_info["token"]
    found = await calendar_file_of(bot.ctx, token)
    if found is None:
        raise web.HTTPNotFound(text=t("nl", "invite.calendar_unknown") + "\n" + t("en", "invite.calendar_unknown"))
    return web.Response(
        body=found.content,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


async def teams_not_configured(request: web.Request) -> web.Response:
    return web.json_response({"error": "teams_not_configured"}, status=401)


async def slack_endpoint(request: web.Request) -> web.Response:
    bot = request.app[BOT_KEY]
    if bot.slack is None:
        return web.json_response({"ok": False, "error": "slack_not_configured"}, status=503)
    if not bot.settings.slack_signing_secret:
        # Without a signing secret nothing can be verified: refuse, never trust (Socket
        # Mode needs no HTTP endpoint at all).
        return web.json_response({"ok": False, "error": "signing_secret_not_configured"}, status=401)
    body = await request.read()
    refused = edge.unverified(bot.settings.slack_signing_secret, body, request.headers)
    if refused is not None:  # a bare 401: nothing parsed, nothing called, no answer anywhere
        log.info("slack request refused (401): %s", refused)
        return web.Response(status=401)
    parsed = edge.text_and_payload(body, request.headers.get("Content-Type"))
    problem = parsed if isinstance(parsed, str) else edge.misshapen(parsed[1])
    if problem is not None:
        log.info("slack request refused (400): %s", problem)
        return web.Response(status=400)
    bolt_request = AsyncBoltRequest(body=parsed[0], query=request.query_string, headers=request.headers,
                                    context={edge.VERIFIED: True})
    bolt_response = await bot.slack.async_dispatch(bolt_request)
    return await to_aiohttp_response(bolt_response)
