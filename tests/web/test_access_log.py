"""The access log the server writes (aiohttp's own, as ``serve`` runs it) never holds a
link's token: personal pages, calendar files, the dashboard's sign-in link and feed."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from aiohttp.web_log import AccessLogger

from bot.privacy import logs

TOKEN = "WzQsInJzdnAiLDQsMTgwNjY1MjgwMF0.fFROfgwprPA8R0Wi2oh2XtEiK98"


def test_every_secret_path_is_logged_without_its_token(caplog):
    logs.install()
    access = AccessLogger(logging.getLogger("aiohttp.access"), '"%r" %s')
    paths = [f"/p/{TOKEN}", f"/p/{TOKEN}/klaar?v=yes", f"/ics/{TOKEN}.ics", f"/dashboard/in/{TOKEN}",
             f"/dashboard/ics/{TOKEN}.ics", "/healthz"]
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        for path in paths:
            access.log(make_mocked_request("GET", path), web.Response(status=200), 0.01)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        '"GET /p/… HTTP/1.1" 200', '"GET /p/…/klaar?v=yes HTTP/1.1" 200', '"GET /ics/… HTTP/1.1" 200',
        '"GET /dashboard/in/… HTTP/1.1" 200', '"GET /dashboard/ics/… HTTP/1.1" 200', '"GET /healthz HTTP/1.1" 200',
    ]
    assert TOKEN not in caplog.text
