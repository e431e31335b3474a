"""The public web pages the Teams manifest points to: ``/privacy`` and ``/voorwaarden``.

Server-rendered from ``templates/pages/*.html`` (Dutch first, English below).
"""

from __future__ import annotations

from functools import lru_cache

import jinja2
from aiohttp import web

from bot.i18n import TEMPLATES_DIR

PAGES = {"/privacy": "privacy.html", "/voorwaarden": "voorwaarden.html"}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "pages"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render(name: str) -> str:
    return _environment().get_template(name).render()


def register(app: web.Application) -> None:
    for path, template in PAGES.items():
        app.router.add_get(path, _page(template))


def _page(template: str):
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=render(template), content_type="text/html", charset="utf-8")

    return handler
