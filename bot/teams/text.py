"""Teams text rules: the catalog text (written for Slack mrkdwn) turned into the
markdown subset Adaptive Cards render, with user text escaped.

Adaptive Card text is markdown (``**bold**``, ``_italic_``, lists, ``[label](url)``),
so a name like ``*Jan*`` or ``[klik](https://evil)`` typed by a user must show
literally.  The translator marks every user value while the template renders
(private-use characters around it); ``to_markdown`` then converts only the trusted
template parts from Slack style (``*bold*``, ``:emoji:``, ``&lt;``, ``<url|label>``,
`` `code` ``, ``/dialoog``) and escapes the marked user parts.
"""

from __future__ import annotations

import re

from bot.i18n import Translator

OPEN, CLOSE = "\ue000", "\ue001"
ELLIPSIS = "…"

# Slack emoji names the catalogs use, as Unicode (Teams shows Unicode emoji).
EMOJI = {
    "white_check_mark": "✅",
    "warning": "⚠️",
    "bell": "🔔",
    "lock": "🔒",
    "crescent_moon": "🌙",
    "x": "❌",
    "calendar": "📅",
    "bar_chart": "📊",
    "memo": "📝",
    "handshake": "🤝",
    "busts_in_silhouette": "👥",
    "bust_in_silhouette": "👤",
    "black_nib": "✒️",
    "tada": "🎉",
    "speech_balloon": "💬",
    "no_entry": "⛔",
    "hourglass_flowing_sand": "⏳",
    "hourglass": "⌛",
    "grey_question": "❔",
    "question": "❓",
    "arrow_right": "➡️",
    "arrow_forward": "▶️",
    "wave": "👋",
    "twisted_rightwards_arrows": "🔀",
    "spiral_calendar_pad": "🗓️",
    "rotating_light": "🚨",
    "pushpin": "📌",
    "page_facing_up": "📄",
    "leftwards_arrow_with_hook": "↩️",
    "heavy_minus_sign": "➖",
    "eyes": "👀",
    "envelope": "✉️",
    "checkered_flag": "🏁",
    "arrows_counterclockwise": "🔄",
}

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~<>&])")
_LINE_START = re.compile(r"^(\s*)(?:([-+])|(\d+)([.)]))(?=\s|$)", re.MULTILINE)
_EMOJI = re.compile(r":([a-z_]+):")
_HELD = "\ue002(\\d+)\ue003"
_LINK = re.compile(r"<(" + _HELD + r"|[^|>\s]+)\|([^>]+)>")
_BARE_LINK = re.compile(r"<(https?://[^|>\s]+)>")
_CODE = re.compile(r"`([^`\n]*)`")
_QUOTE = re.compile(r"^([ \t]*)(?:&gt;|>)[ \t]?", re.MULTILINE)
_STAR = re.compile(r"(?<!\*)\*(?!\*)")
_MARKED = re.compile(OPEN + "([^" + CLOSE + "]*)" + CLOSE)
_PLACEHOLDER = re.compile(_HELD)


def escape(text: str) -> str:
    """User text made literal in Adaptive Card markdown (no bold, link, list or mention)."""
    text = text.replace(OPEN, "").replace(CLOSE, "").replace("\r\n", "\n")
    text = _SPECIAL.sub(r"\\\1", text)

    def line_start(m: re.Match) -> str:
        if m.group(2):
            return m.group(1) + "\\" + m.group(2)
        return m.group(1) + m.group(3) + "\\" + m.group(4)

    return _LINE_START.sub(line_start, text)


def mark(text: str) -> str:
    return OPEN + text.replace(OPEN, "").replace(CLOSE, "") + CLOSE


def translator(lang: str | None) -> Translator:
    """Catalog text for Teams.  User values come out *marked*; the card helpers
    (``bot.teams.cards.common``) convert with ``to_markdown`` exactly once, where the
    text lands in a card, so a rendered line may be nested in another (``Raw``)."""
    return Translator(lang, mark)


def _safe_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def to_markdown(text: str) -> str:
    """Slack-style catalog text with marked user values -> Teams markdown.

    User values are held aside while the template syntax is converted (``*bold*`` ->
    ``**bold**``, ``:emoji:``, ``&lt;``, ``<url|label>``, `` `code` `` -> bold, a leading
    ``>``, ``/dialoog``), then put back escaped.  Call it once per text.
    """
    held: list[str] = []

    def hold(m: re.Match) -> str:
        held.append(m.group(1))
        return f"\ue002{len(held) - 1}\ue003"

    def link(m: re.Match) -> str:
        url = held[int(m.group(2))] if m.group(2) is not None else m.group(1)
        if not url.startswith(("https://", "http://")):
            return m.group(0)
        return f"[{m.group(3)}]({_safe_url(url)})"

    text = _MARKED.sub(hold, text.replace("\r\n", "\n"))
    text = _LINK.sub(link, text)
    text = _BARE_LINK.sub(r"\1", text)
    text = _CODE.sub(lambda m: "**" + m.group(1) + "**" if m.group(1) else "", text)
    text = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
    text = _QUOTE.sub(r"\1", text)
    text = text.replace("/dialoog ", "")
    text = text.replace("&lt;", "\\<").replace("&gt;", "\\>").replace("&amp;", "\\&")
    text = _STAR.sub("**", text).replace("****", "")
    return _PLACEHOLDER.sub(lambda m: escape(held[int(m.group(1))]), text)


def plain(text: str) -> str:
    """Text for places that show no markdown (button titles, choices, summaries)."""
    text = text.replace(OPEN, "").replace(CLOSE, "")
    text = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
    text = re.sub(r"<([^|>\s]+)\|([^>]+)>", r"\2", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("/dialoog ", "")
    return text.replace("`", "")


_ITALIC = re.compile(r"(?<!\w)_(?=\S)|(?<=\S)_(?!\w)")


def summary_text(text: str) -> str:
    """Plain text for a notification summary (the line Teams shows in the activity feed
    and the chat list): the template's Slack ``*bold*`` and ``_italic_`` markers are
    dropped, marked user values stay exactly as typed."""
    held: list[str] = []

    def hold(m: re.Match) -> str:
        held.append(m.group(1))
        return f"\ue002{len(held) - 1}\ue003"

    text = _MARKED.sub(hold, text)
    text = _ITALIC.sub("", text.replace("*", ""))
    return plain(_PLACEHOLDER.sub(lambda m: mark(held[int(m.group(1))]), text))


def cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS)]
    head = re.sub(r"\\$", "", head)  # never end on half an escape
    return head + ELLIPSIS
