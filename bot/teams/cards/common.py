"""Adaptive Card pieces shared by every Teams builder.

Builders take a ready view-model (plain data, no database) and a translator from
``bot.teams.text``; every text goes through ``md`` (markdown, user parts escaped) or
``plain`` (titles, choices) exactly once, here.
"""

from __future__ import annotations

from typing import Any

from bot.lines import when  # noqa: F401  (re-exported for the builders)
from bot.i18n import Translator
from bot.teams.text import cut, plain, summary_text, to_markdown

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
TEXT_LIMIT = 2000  # one text block; the whole message must stay under ~28 KB
TITLE_LIMIT = 60
PRIMARY_ACTIONS = 3  # what a phone (360 px) shows in full; the rest go to the "..." overflow
Element = dict[str, Any]


def md_lines(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    return [cut(line, limit) for line in to_markdown(text).split("\n")]


def text(source: str, *, size: str | None = None, weight: str | None = None, color: str | None = None,
         subtle: bool = False, spacing: str | None = None, limit: int = TEXT_LIMIT) -> list[Element]:
    """One TextBlock per line (Teams clients differ in how they show a single newline)."""
    blocks: list[Element] = []
    for index, line in enumerate(md_lines(source, limit)):
        block: Element = {"type": "TextBlock", "text": line or " ", "wrap": True}
        if size:
            block["size"] = size
        if weight:
            block["weight"] = weight
        if color:
            block["color"] = color
        if subtle:
            block["isSubtle"] = True
        if index > 0:
            block["spacing"] = "None"
        elif spacing:
            block["spacing"] = spacing
        blocks.append(block)
    return blocks


def heading(source: str) -> list[Element]:
    return text(source, size="Medium", weight="Bolder", limit=300)


def note(source: str) -> list[Element]:
    return text(source, subtle=True, spacing="Small")


def error(source: str) -> list[Element]:
    return text(source, color="Attention", spacing="None")


def separator(elements: list[Element]) -> list[Element]:
    if elements:
        elements[0] = {**elements[0], "separator": True, "spacing": "Medium"}
    return elements


def button(title: str, verb: str, data: dict[str, Any] | None = None, style: str | None = None) -> Element:
    """An ``Action.Execute`` that falls back to ``Action.Submit`` on clients without it."""
    payload = {"verb": verb, **(data or {})}
    label = cut(plain(title), TITLE_LIMIT)
    submit: Element = {"type": "Action.Submit", "title": label, "data": payload}
    action: Element = {"type": "Action.Execute", "title": label, "verb": verb, "data": payload, "fallback": submit}
    if style:
        action["style"] = style
        submit["style"] = style
    return action


def link(title: str, url: str) -> Element:
    return {"type": "Action.OpenUrl", "title": cut(plain(title), TITLE_LIMIT), "url": url}


def secondary(action: Element) -> Element:
    """The action in the overflow menu (``Action.mode``, Adaptive Cards 1.5)."""
    out = {**action, "mode": "secondary"}
    if isinstance(action.get("fallback"), dict):
        out["fallback"] = {**action["fallback"], "mode": "secondary"}
    return out


def in_view(items: list[Element]) -> list[Element]:
    """At most ``PRIMARY_ACTIONS`` buttons in view; the order stays.  Links (the
    document, the calendar) stay in view; the last choices past the limit move to the
    overflow, and a builder may put one there itself with ``secondary``."""
    primary = [a for a in items if a.get("mode") != "secondary"]
    surplus = len(primary) - PRIMARY_ACTIONS
    if surplus <= 0:
        return items
    choices = [a for a in reversed(primary) if a.get("type") != "Action.OpenUrl"]
    links = [a for a in reversed(primary) if a.get("type") == "Action.OpenUrl"]
    demoted = {id(a) for a in (choices + links)[:surplus]}
    return [secondary(a) if id(a) in demoted else a for a in items]


def actions(items: list[Element]) -> Element:
    return {"type": "ActionSet", "actions": in_view(items)}


def card(body: list[Element], buttons: list[Element] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body, "msteams": {"width": "Full"}}
    if buttons:
        out["actions"] = in_view(buttons)
    return out


def message(summary: str, body: list[Element], buttons: list[Element] | None = None) -> dict[str, Any]:
    """What a builder returns: the notification text and one card."""
    return {"summary": cut(summary_text(summary), 250), "card": card(body, buttons)}


def listing(tr: Translator, names: list[str], limit: int = 25) -> str:
    """Names joined with commas; past ``limit``: "and N more" (still marked user text)."""
    from bot.teams.text import mark

    shown = ", ".join(mark(n) for n in names[:limit])
    if len(names) > limit:
        shown += ", " + tr("command.status.and_more", count=len(names) - limit)
    return shown


# -- form inputs ------------------------------------------------------------------


def text_input(input_id: str, label: str, *, required: bool = False, multiline: bool = True, max_length: int = 1000,
               value: str | None = None, error_message: str | None = None, placeholder: str | None = None) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": input_id,
        "label": plain(label),
        "isMultiline": multiline,
        "maxLength": max_length,
        "isRequired": required,
    }
    if error_message:
        element["errorMessage"] = plain(error_message)
    if value:
        element["value"] = value
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def choice_input(input_id: str, label: str, choices: list[tuple[str, str]], *, required: bool = True,
                 value: str | None = None, expanded: bool = False, multi: bool = False,
                 error_message: str | None = None, placeholder: str | None = None) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": plain(label),
        "isRequired": required,
        "style": "expanded" if expanded else "compact",
        "isMultiSelect": multi,
        "choices": [{"title": cut(plain(title), 100), "value": value_} for title, value_ in choices],
    }
    if value is not None:
        element["value"] = value
    if error_message:
        element["errorMessage"] = plain(error_message)
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def date_input(input_id: str, label: str, *, required: bool = False, value: str | None = None,
               error_message: str | None = None) -> Element:
    element: Element = {"type": "Input.Date", "id": input_id, "label": plain(label), "isRequired": required}
    if value:
        element["value"] = value
    if error_message:
        element["errorMessage"] = plain(error_message)
    return element


def with_errors(body: list[Element], errors: dict[str, str]) -> list[Element]:
    """Put each server-side error right under its input (validated again on submit)."""
    out: list[Element] = []
    for element in body:
        out.append(element)
        message_ = errors.get(element.get("id", ""))
        if message_:
            out.extend(error(message_))
    return out
