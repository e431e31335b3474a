"""Logs without personal data: secret tokens out of the access log, and the chat
SDKs quiet at INFO (they log conversation and user ids).

Our own log lines name records by their database id, never by name, e-mail address,
platform id or token.
"""

from __future__ import annotations

import logging
import re

# /ics/<token>.ics, /dashboard/ics/<token>.ics, /p/<token>/... and /dashboard/in/<token>:
# the token is the key to the page (or to a dashboard session).
_SECRET_PATHS = re.compile(r"(/(?:ics|p|dashboard/in)/)[^\s/\"?]+")
_QUIET = ("microsoft_agents", "msal")


def redact(text: str) -> str:
    return _SECRET_PATHS.sub(r"\1…", text)


class RedactTokens(logging.Filter):
    """Removes the token from every logged secret path (``/ics/...``, ``/p/...``, ``/dashboard/in/...``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.args:
            try:
                record.msg, record.args = record.getMessage(), None
            except (TypeError, ValueError):
                return True
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


_FILTER = RedactTokens()


def install() -> None:
    """Idempotent: the access log's filter, and the SDKs' loggers at WARNING."""
    access = logging.getLogger("aiohttp.access")
    if _FILTER not in access.filters:
        access.addFilter(_FILTER)
    for name in _QUIET:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
