"""Signing in with the one-time link, the session cookie, signing out."""

from __future__ import annotations

from aiohttp import web

from bot.web import dashboard_auth as auth
from bot.i18n import t
from handlers.dashboard.render import html_page, refusal, told
from handlers.http import BOT_KEY


def ctx_of(request: web.Request):
    return request.app[BOT_KEY].ctx


async def current(request: web.Request) -> auth.SignedIn | None:
    ctx = ctx_of(request)
    if ctx.links is None:
        return None
    return await auth.current(ctx, request.cookies.get(auth.COOKIE))


def foreign(request: web.Request) -> bool:
    """A POST that a browser sent from another site (its Origin is not PUBLIC_URL's): a
    second guard next to the CSRF token, also against signing someone into another's session.
    Our pages send their own origin (Referrer-Policy same-origin); "null" is refused."""
    origin = request.headers.get("Origin")
    base = ctx_of(request).settings.public_url or ""
    if not origin or not base:
        return False
    parts = base.split("/")
    return origin.rstrip("/") != "/".join(parts[:3])


def not_signed_in() -> web.Response:
    return refusal(403, "dashboard.signin.needed")


async def sign_in_page(request: web.Request) -> web.Response:
    """GET of the link: a button, nothing used up (mail scanners open every link)."""
    ctx = ctx_of(request)
    token = request.match_info["token"]
    if ctx.links is None:
        return refusal(403, "dashboard.signin.unknown")
    state = await auth.sign_in_state(ctx, token)
    if state != "ok":
        return refusal(403, f"dashboard.signin.{state}")
    return html_page("signin.html", "nl", token=token, csrf=ctx.links.csrf("dashboard-in:" + token))


async def sign_in(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    token = request.match_info["token"]
    form = await request.post()
    if foreign(request) or ctx.links is None or not ctx.links.csrf_ok("dashboard-in:" + token, form.get("csrf")):
        return refusal(403, "dashboard.csrf")
    started = await auth.redeem(ctx, token)
    if isinstance(started, str):
        return refusal(403, f"dashboard.signin.{started}")
    return signed_in(started)


def signed_in(started: auth.Started, headers: dict | None = None) -> web.Response:
    """To the dashboard, with the session cookie (Secure, HttpOnly, SameSite=Lax)."""
    response = web.Response(status=303, headers={**(headers or {}), "Location": f"/dashboard/{started.trajectory_key}"})
    response.set_cookie(
        auth.COOKIE, started.token, path="/dashboard", secure=True, httponly=True, samesite="Lax",
        max_age=int(auth.IDLE.total_seconds()),
    )
    return response


async def sign_out(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    signed = await current(request)
    form = await request.post()
    if signed is None:
        return not_signed_in()
    if foreign(request) or not auth.csrf_ok(ctx, signed.token, form.get("csrf")):
        return refusal(403, "dashboard.csrf")
    await auth.sign_out(ctx, signed.token)
    signed_lang = form.get("lang") if form.get("lang") in ("nl", "en") else "nl"
    response = told([t(signed_lang, "dashboard.signout.done")], signed_lang, None, title_key="dashboard.signout.title")
    response.del_cookie(auth.COOKIE, path="/dashboard")
    return response
