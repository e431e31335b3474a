""""DEMO" on every HTML page the demo serves (the demo pages, /p/ and /dashboard): a
response middleware puts a small banner right after ``<body>``.

The pages have their own Content-Security-Policy: /p/ allows stylesheets from the bot
itself only, the dashboard inline styles only.  The banner's rules come the way the
page's policy allows: a ``<style>`` where inline styles may be, else a ``<link>`` to
``/demo/banner.css``.
"""

from __future__ import annotations

import re

from aiohttp import web

from bot.i18n import t

CSS = (
    ".demo-banner{background:#8a3b00;color:#fff;font:bold 1rem/1.4 system-ui,sans-serif;"
    "padding:.3rem 1rem;text-align:center;letter-spacing:.05em}"
    ".demo-banner a{color:#fff}"
)
BODY = re.compile(rb"<body[^>]*>", re.IGNORECASE)


def banner_html(inline_styles: bool) -> bytes:
    text = f'{t("nl", "demo.banner")} · <span lang="en">{t("en", "demo.banner")}</span>'
    style = f"<style>{CSS}</style>" if inline_styles else '<link rel="stylesheet" href="/demo/banner.css">'
    return (style + f'<div class="demo-banner" role="note"><a href="/demo">DEMO</a> {text}</div>').encode("utf-8")


def inline_allowed(policy: str | None) -> bool:
    """May this page's Content-Security-Policy have a ``<style>`` element?"""
    if not policy:
        return True
    styles = next((d for d in policy.split(";") if d.strip().startswith("style-src")), None)
    if styles is None:
        return "default-src" not in policy
    return "'unsafe-inline'" in styles


def with_banner(body: bytes, policy: str | None = None) -> bytes:
    found = BODY.search(body)
    if found is None or b'class="demo-banner"' in body:
        return body
    return body[: found.end()] + banner_html(inline_allowed(policy)) + body[found.end():]


@web.middleware
async def demo_banner(request: web.Request, handler) -> web.StreamResponse:
    response = await handler(request)
    if isinstance(response, web.Response) and response.content_type == "text/html" and isinstance(response.body, bytes):
        response.body = with_banner(response.body, response.headers.get("Content-Security-Policy"))
    return response


async def stylesheet(request: web.Request) -> web.Response:
    return web.Response(text=CSS, content_type="text/css", charset="utf-8", headers={"Cache-Control": "no-store"})


def install(app: web.Application) -> None:
    app.middlewares.append(demo_banner)
    app.router.add_get("/demo/banner.css", stylesheet)
