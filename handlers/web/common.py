"""What every personal page shares: the visitor, the form, rendering, the answers.

Pages are server-rendered from ``templates/web/`` (Jinja2, autoescaped) with the texts
of ``templates/<lang>/web.yaml``; they need no JavaScript.  Every answer carries the
security headers below: the token is in the URL, so no referrer, no cache, no frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import jinja2
from aiohttp import web
from multidict import MultiDictProxy

from bot import lines
from bot.context import Context
from bot.formatting import format_date, format_datetime
from bot.i18n import TEMPLATES_DIR, Translator
from bot.interactions.errors import Problems, Refused
from bot.limits import storable
from bot.web import access
from bot.web.access import LinkRefused, Visitor
from handlers.dashboard.render import plain

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
STATUS = {"forged": 400, "expired": 410, "revoked": 403, "unconfigured": 404, "csrf": 403}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "web"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["iso_date"] = lambda raw, lang: format_date(datetime.fromisoformat(raw), lang) if raw else ""
    env.filters["iso_datetime"] = lambda raw, tz, lang: format_datetime(datetime.fromisoformat(raw), tz, lang)
    env.filters["period"] = lambda vm, lang: lines.when(vm, lang)
    return env


def html(template: str, lang: str, status: int = 200, **values) -> web.Response:
    text = environment().get_template(template).render(t=Translator(lang), lang=lang, **values)
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8", headers=HEADERS)


def link_refused(reason: str) -> web.Response:
    """A friendly page in Dutch (and English) that says how to get a new link."""
    return html("link_refused.html", "nl", STATUS.get(reason, 400), reason=reason, en=Translator("en"))


@dataclass
class Page:
    """One request to one personal page: the visitor and what to render with."""

    request: web.Request
    ctx: Context
    visitor: Visitor
    token: str
    form: dict[str, str | list[str]] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return "en" if self.visitor.language == "en" else "nl"

    @property
    def tr(self) -> Translator:
        return Translator(self.lang)

    @property
    def record_id(self) -> int | None:
        return self.visitor.grant.record_id

    def render(self, template: str, status: int = 200, **values) -> web.Response:
        values.setdefault("errors", {})
        values.setdefault("values", {})
        return html(
            template, self.lang, status, token=self.token, csrf=self.ctx.links.csrf(self.token),
            name=self.visitor.name, mine=self.link("mine", None), **values,
        )

    def link(self, purpose: str, record_id: int | None, anchor: datetime | None = None) -> str:
        return access.link(self.ctx, self.visitor, purpose, record_id, anchor)

    def refused(self, refused: Refused) -> web.Response:
        """The use case's refusal (often a chat text: ``*bold*`` made plain)."""
        return self.render("refused.html", 403, message=plain(refused.text(self.tr)))

    def problems(self, template: str, problems: Problems, **values) -> web.Response:
        """The form again, with each problem next to its field and what was typed."""
        return self.render(template, 400, errors=problems.texts(self.tr), values=self.form, **values)

    def done(self, choice: str) -> web.Response:
        """POST-redirect-GET: the confirmation page (a reload sends nothing again)."""
        raise web.HTTPSeeOther(f"/p/{self.token}/klaar?v={choice}", headers=HEADERS)

    def text(self, name: str) -> str:
        """One field's text (the first, when a field came more than once)."""
        value = self.form.get(name, "")
        return value[0] if isinstance(value, list) else value

    def many(self, name: str) -> list[str]:
        value = self.form.get(name, [])
        return value if isinstance(value, list) else [value]


async def visitor_of(request: web.Request) -> tuple[Context, Visitor] | web.Response:
    from handlers.http import BOT_KEY

    ctx = request.app[BOT_KEY].ctx
    try:
        return ctx, await access.visit(ctx, request.match_info["token"])
    except LinkRefused as refused:
        return link_refused(refused.reason)


async def read_form(request: web.Request) -> dict[str, str | list[str]]:
    """The posted fields: text only, without the characters no database keeps
    (``bot.limits.storable``: NUL, lone surrogates), so both databases get the same text;
    repeated names become lists."""
    posted: MultiDictProxy = await request.post()
    form: dict[str, str | list[str]] = {}
    for key in posted.keys():
        values = [v for v in posted.getall(key) if isinstance(v, str)]
        if values:
            form[key] = values if len(values) > 1 else values[0]
    return storable(form)
