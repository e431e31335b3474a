"""The access log never holds a personal link's token."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from bot.web.access_log import MaskedAccessLogger


def test_the_token_is_masked_in_the_access_log(caplog):
    logger = logging.getLogger("test.access")
    access = MaskedAccessLogger(logger, '"%r" %s')
    token = "WzQsInJzdnAiLDQsMTgwNjY1MjgwMF0.fFROfgwprPA8R0Wi2oh2XtEiK98"
    with caplog.at_level(logging.INFO, logger="test.access"):
        for path in (f"/p/{token}", f"/p/{token}/klaar?v=yes", "/healthz"):
            access.log(make_mocked_request("GET", path), web.Response(status=200), 0.01)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ['"GET /p/*** HTTP/1.1" 200', '"GET /p/***/klaar?v=yes HTTP/1.1" 200', '"GET /healthz HTTP/1.1" 200']
    assert token not in caplog.text
