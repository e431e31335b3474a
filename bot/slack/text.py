"""Slack text rules: escape user text for mrkdwn, cut to Block Kit limits."""

from __future__ import annotations

import re

ELLIPSIS = "…"
SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
OPTION_TEXT = 75
CONTEXT_TEXT = 2000
MODAL_TITLE = 24
MESSAGE_TEXT = 3000  # notification text: well under the 40,000 limit

_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """Escape the three mrkdwn control characters so no mention or link goes live."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """Shorten to ``limit`` characters with an ellipsis, never splitting an entity."""
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS)]
    head = _ENTITY_TAIL.sub("", head)
    return head + ELLIPSIS


def plain(text: str, limit: int = SECTION_TEXT) -> dict:
    """A plain_text object (Slack shows it literally; no escaping needed)."""
    return {"type": "plain_text", "text": cut(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict:
    """A mrkdwn object; ``text`` must already have its user parts escaped."""
    return {"type": "mrkdwn", "text": cut(text, limit) or " "}
