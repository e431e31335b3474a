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


_MASS_MENTION = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_QUOTE = re.compile(r"^([ \t]*)&gt;", re.MULTILINE)


def sanitize_mrkdwn(text: str) -> str:
    """Text a trekker wrote, made safe for mrkdwn while keeping its formatting.

    Every ``<...>`` construct is escaped, so ``<!channel>``, ``<@U123>``, ``<#C123>``
    and disguised links ``<https://evil|label>`` show literally and never go live.
    ``*bold*``, ``_italic_``, ``~strike~``, `code`, lists and bare URLs (Slack links
    those itself, showing the real address) pass unchanged, and so does a ``>`` that
    starts a line (a quote): without an unescaped ``<`` it cannot open anything.
    A typed ``@channel`` / ``@here`` / ``@everyone`` gets a word joiner after the ``@``
    so it cannot notify anyone even where Slack links names.
    """
    escaped = escape(text.replace("\r\n", "\n"))
    escaped = _QUOTE.sub(r"\1>", escaped)
    return _MASS_MENTION.sub("@\u2060\\1", escaped)


def chunks(text: str, limit: int = SECTION_TEXT) -> list[str]:
    """Split long text into pieces of at most ``limit`` characters, at line breaks
    where possible and never inside an ``&...;`` entity."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut_at = rest.rfind("\n", 0, limit)
        if cut_at < limit // 2:
            cut_at = rest.rfind(" ", 0, limit)
        if cut_at < limit // 2:
            cut_at = limit
            amp = rest.rfind("&", max(0, cut_at - 6), cut_at)
            if amp != -1 and ";" not in rest[amp:cut_at]:
                cut_at = amp
        pieces.append(rest[:cut_at].rstrip())
        rest = rest[cut_at:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return pieces
