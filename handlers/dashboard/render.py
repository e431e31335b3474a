"""Rendering the dashboard's pages: Jinja2 from ``templates/dashboard/``, texts from the
catalogs (``dashboard.*``), chat texts made plain for the web, security headers."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

import jinja2
from aiohttp import web

from bot.formatting import format_date, format_datetime
from bot.i18n import TEMPLATES_DIR, Translator, t

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no sign-in token to other sites; our forms still send their Origin
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}

_EMOJI = re.compile(r":[a-z0-9_+-]+:\s*")
_MARKS = re.compile(r"(?<![\w*])[*_~]([^*_~\n]+)[*_~](?![\w*])")


def plain(text: str) -> str:
    """A chat text (Slack mrkdwn: ``*bold*``, ``:emoji:``, ``&lt;``) as plain text; the
    template escapes it again for HTML."""
    text = _EMOJI.sub("", text)
    text = _MARKS.sub(r"\1", text).replace("`", "")
    return html.unescape(text).strip()


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "dashboard"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["plain"] = plain
    return env


def html_page(name: str, lang: str, status: int = 200, headers: dict | None = None, **vm: Any) -> web.Response:
    tr = Translator(lang)
    tz = vm.get("timezone") or "Europe/Amsterdam"
    when = lru_cache(maxsize=None)(lambda value: format_datetime(value, tz, tr.lang) if value else "")
    day = lru_cache(maxsize=None)(lambda value: format_date(value, tr.lang) if value else "")
    text = _environment().get_template(name).render(tr=tr, tr_en=Translator("en"), lang=tr.lang, when=when, day=day, **vm)
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8", headers={**HEADERS, **(headers or {})})


def refusal(status: int, key: str, /, **params: Any) -> web.Response:
    """A short page that says no (403, 404), in Dutch with English below: never a traceback."""
    lines = [t("nl", key, **params), t("en", key, **params)]
    return html_page("message.html", "nl", status=status, title_key=f"dashboard.status.{status}", lines=lines, back=None, english=True)


def told(lines: list[str], lang: str, back: str | None, status: int = 200, title_key: str = "dashboard.done.title") -> web.Response:
    """What an action did (or why it did nothing), in the trekker's language."""
    return html_page("message.html", lang, status=status, title_key=title_key, lines=[plain(x) for x in lines], back=back, english=False)


def download(body: bytes, content_type: str, filename: str) -> web.Response:
    return web.Response(
        body=body, content_type=content_type,
        headers={**HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'},
    )
