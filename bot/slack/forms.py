"""Reading a Slack modal's submitted values, and showing a use case's Problems."""

from __future__ import annotations

from bot.interactions.errors import Problems


def values_of(view: dict) -> dict:
    return view.get("state", {}).get("values", {})


def typed(values: dict, block: str, action: str) -> str | None:
    """A text input's value."""
    return (values.get(block, {}).get(action) or {}).get("value")


def selected(values: dict, block: str, action: str) -> str | None:
    """A select's or radio group's chosen value."""
    return ((values.get(block, {}).get(action) or {}).get("selected_option") or {}).get("value")


def picked_date(values: dict, block: str, action: str) -> str | None:
    """A date picker's date (``YYYY-MM-DD``)."""
    return (values.get(block, {}).get(action) or {}).get("selected_date")


def picked_many(values: dict, block: str, action: str) -> list[str]:
    """A multi-select's chosen values."""
    chosen = (values.get(block, {}).get(action) or {}).get("selected_options") or []
    return [o.get("value") for o in chosen]


def errors_for(problems: Problems, blocks: dict[str, str], tr) -> dict[str, str]:
    """``response_action: errors`` from Problems: each field's text under its block."""
    texts = problems.texts(tr)
    return {blocks[name]: text for name, text in texts.items() if name in blocks}


def state_value(values: dict, block: str, action: str):
    """What any input holds: text, one option's value, or a list of option values."""
    entry = (values.get(block) or {}).get(action) or {}
    if "selected_options" in entry:
        return [o.get("value") for o in entry.get("selected_options") or []]
    if "selected_option" in entry:
        return (entry.get("selected_option") or {}).get("value")
    return entry.get("value")
