"""Catalog text (written for Slack mrkdwn) turned into mail HTML and plain text.

The translator marks every user value while a template renders (private-use characters
around it); ``to_html`` converts only the trusted template parts (``*bold*``,
``_italic_``, ``:emoji:``, ``&lt;``, ``<url|label>``, `` `code` ``) and HTML-escapes the
marked user parts, so a name like ``<script>`` or ``*Jan*`` shows literally.
``to_text`` gives the same words without markup.
"""

from __future__ import annotations

import html
import re

from bot.i18n import Translator

OPEN, CLOSE = "\ue000", "\ue001"
_HELD = "\ue002(\\d+)\ue003"
_MARKED = re.compile(OPEN + "([^" + CLOSE + "]*)(?:" + CLOSE + "|$)")
_LINK = re.compile(r"<(" + _HELD + r"|[^|>\s]+)\|([^>]+)>")
_BARE_LINK = re.compile(r"<(https?://[^|>\s]+)>")
_CODE = re.compile(r"`([^`\n]*)`")
_QUOTE = re.compile(r"^([ \t]*)(?:&gt;|>)[ \t]?", re.MULTILINE)
_EMOJI = re.compile(r":([a-z_]+):")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_PLACEHOLDER = re.compile(_HELD)

EMOJI = {
    "white_check_mark": "✅", "warning": "⚠️", "bell": "🔔", "lock": "🔒", "x": "❌",
    "calendar": "📅", "bar_chart": "📊", "memo": "📝", "handshake": "🤝", "no_entry": "⛔",
    "hourglass_flowing_sand": "⏳", "hourglass": "⌛", "question": "❓", "arrow_right": "➡️",
    "wave": "👋", "arrows_counterclockwise": "🔄", "rotating_light": "🚨", "pushpin": "📌",
    "page_facing_up": "📄", "black_nib": "✒️", "tada": "🎉", "speech_balloon": "💬",
    "envelope": "✉️", "checkered_flag": "🏁", "busts_in_silhouette": "👥", "eyes": "👀",
}


def mark(text: str) -> str:
    return OPEN + text.replace(OPEN, "").replace(CLOSE, "") + CLOSE


def translator(lang: str | None) -> Translator:
    return Translator(lang, mark)


def _safe_url(url: str) -> str | None:
    url = url.strip()
    return url if url.startswith(("https://", "http://", "mailto:")) else None


def _convert(text: str, link, leaf) -> str:
    """The template syntax of ``text`` converted; ``link(url, label)`` renders a link,
    ``leaf(user_text)`` a user value."""
    held: list[str] = []
    out: list[str] = []

    def hold(m: re.Match) -> str:
        held.append(m.group(1))
        return f"\ue002{len(held) - 1}\ue003"

    def keep(rendered: str) -> str:
        out.append(rendered)
        return f"\ue004{len(out) - 1}\ue005"

    def restore_users(piece: str) -> str:
        return _PLACEHOLDER.sub(lambda m: held[int(m.group(1))], piece)

    def linked(m: re.Match) -> str:
        url = held[int(m.group(2))] if m.group(2) is not None else m.group(1)
        safe = _safe_url(url)
        label = restore_users(m.group(3))
        return keep(link(safe, label) if safe else leaf(label))

    text = _MARKED.sub(hold, text.replace("\r\n", "\n"))
    text = _LINK.sub(linked, text)
    text = _BARE_LINK.sub(lambda m: keep(link(m.group(1), m.group(1))), text)
    text = _QUOTE.sub(r"\1", text).replace("/dialoog ", "")
    text = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), ""), text)
    return text, held, out


def to_html(text: str) -> str:
    def link(url: str, label: str) -> str:
        return f'<a href="{html.escape(url, quote=True)}">{_users_html(label)}</a>'

    text, held, out = _convert(text, link, _users_html)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = html.escape(text, quote=False)
    text = _CODE.sub(r"<strong>\1</strong>", text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    text = _PLACEHOLDER.sub(lambda m: html.escape(held[int(m.group(1))], quote=False), text)
    text = re.sub("\ue004(\\d+)\ue005", lambda m: out[int(m.group(1))], text)
    return text.replace("\n", "<br>\n")


def _users_html(label: str) -> str:
    return html.escape(_MARKED.sub(lambda m: m.group(1), label), quote=False)


def to_text(text: str) -> str:
    def link(url: str, label: str) -> str:
        label = _MARKED.sub(lambda m: m.group(1), label)
        return url if label == url else f"{label} ({url})"

    text, held, out = _convert(text, link, lambda label: _MARKED.sub(lambda m: m.group(1), label))
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = _CODE.sub(r"\1", text)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    text = _PLACEHOLDER.sub(lambda m: held[int(m.group(1))], text)
    return re.sub("\ue004(\\d+)\ue005", lambda m: out[int(m.group(1))], text)


def plain(text: str) -> str:
    """One line without markup (a subject, a button label)."""
    return " ".join(to_text(text).split())
