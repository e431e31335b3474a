"""Block Kit pieces shared by every builder.  Builders take a ready view-model
(plain data, no database) and a Translator that escapes user text for mrkdwn."""

from __future__ import annotations

from typing import Any

from bot.lines import when  # noqa: F401  (re-exported for the builders)
from bot.i18n import Translator
from bot.slack.text import BUTTON_TEXT, HEADER_TEXT, MESSAGE_TEXT, MODAL_TITLE, cut, escape, mrkdwn, plain

Blocks = list[dict[str, Any]]


def translator(lang: str) -> Translator:
    return Translator(lang, escape)


def section(text: str) -> dict:
    return {"type": "section", "text": mrkdwn(text)}


def header(text: str) -> dict:
    return {"type": "header", "text": plain(text, HEADER_TEXT)}


def context(text: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(text, 2000)]}


def button(text: str, action_id: str, value: str, style: str | None = None, url: str | None = None) -> dict:
    out = {"type": "button", "text": plain(text, BUTTON_TEXT), "action_id": action_id, "value": value}
    if style:
        out["style"] = style
    if url:
        out["url"] = url
    return out


def message(text: str, blocks: Blocks) -> dict:
    return {"text": cut(text, MESSAGE_TEXT), "blocks": blocks}


# -- ephemeral answers ------------------------------------------------------------


def text_reply(tr: Translator, key: str, /, **params: Any) -> dict:
    text = tr(key, **params)
    return message(text, [section(text)])


def lines_reply(lines: list[str]) -> dict:
    """Several already-rendered lines as one ephemeral answer."""
    text = "\n".join(lines)
    return message(text, [section(line) for line in lines[:45]])


def listing(tr: Translator, names: list[str], limit: int = 25) -> str:
    """Names joined with commas; past ``limit``: \"and N more\"."""
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        shown += ", " + tr("command.status.and_more", count=len(names) - limit)
    return shown


def done_view(title: str, text: str, close: str) -> dict:
    """A modal after a successful submit: a confirmation to close."""
    return {"type": "modal", "title": plain(title, MODAL_TITLE), "close": plain(close, MODAL_TITLE), "blocks": [section(text)]}


def lines_within(lines: list[str], tr: Translator, more_key: str, limit: int = 2800) -> str:
    """Join lines up to ``limit`` characters (a section holds 3,000); the rest is "and N more"."""
    shown: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > limit:
            shown.append(tr(more_key, count=len(lines) - index))
            break
        shown.append(line)
        used += len(line) + 1
    return "\n".join(shown)
