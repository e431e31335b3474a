"""The server's access log without personal link tokens: ``/p/<token>...`` is logged as
``/p/***`` (the token is a credential; logs are read by more people than the mailbox)."""

from __future__ import annotations

import re

from aiohttp.web_log import AccessLogger

TOKEN = re.compile(r"^/p/[^/?]+")


class MaskedAccessLogger(AccessLogger):
    def log(self, request, response, time: float) -> None:
        if request.path.startswith("/p/"):
            request = request.clone(rel_url=TOKEN.sub("/p/***", str(request.rel_url), count=1))
        super().log(request, response, time)
