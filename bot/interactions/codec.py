"""Typed form context: what a form or a button carries back to the bot.

Slack returns it as a modal's ``private_metadata`` (a string), Teams as a card's
``data`` (a JSON object next to the inputs).  Each kind of context is a frozen
dataclass with a ``VERSION``; it is encoded once and decoded once, here, so nothing
splits strings by convention and a changed shape cannot be misread silently.

Decoding never trusts its input: anything that is not exactly the declared shape
(wrong type, an id outside the 32-bit range of the id columns, an over-long string,
another version) raises :class:`BadContext`, which every channel answers with a polite refusal.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import MISSING, asdict, fields, is_dataclass
from typing import Any, TypeVar

T = TypeVar("T")

ID_MAX = 2**31 - 1  # the id columns are INTEGER: PostgreSQL refuses anything larger
TEXT_MAX = 200


class BadContext(ValueError):
    """The context does not have the declared shape: forged, stale or damaged."""


def encode(value: Any) -> str:
    """The context as a compact JSON string (Slack ``private_metadata``)."""
    return json.dumps(as_data(value), separators=(",", ":"), ensure_ascii=False)


def as_data(value: Any) -> dict[str, Any]:
    """The context as a JSON object (a Teams card's ``data``)."""
    if not is_dataclass(value):
        raise TypeError(f"not a context dataclass: {value!r}")
    return {"v": getattr(value, "VERSION", 1), **asdict(value)}


def decode(cls: type[T], raw: str | dict | None) -> T:
    """``cls`` from a string or a JSON object; unknown keys are ignored (card inputs)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise BadContext("not JSON") from exc
    if not isinstance(raw, dict):
        raise BadContext("not an object")
    if raw.get("v") != getattr(cls, "VERSION", 1):
        raise BadContext("another version")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in raw:
            values[f.name] = _check(f.name, hints[f.name], raw[f.name])
        elif f.default is MISSING and f.default_factory is MISSING:  # type: ignore[misc]
            raise BadContext(f"{f.name} missing")
    return cls(**values)


def _check(name: str, hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _check(name, option, value)
            except BadContext:
                continue
        raise BadContext(f"{name}: unexpected value")
    if origin is typing.Literal:
        if value in typing.get_args(hint):
            return value
        raise BadContext(f"{name}: not one of the choices")
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= ID_MAX:
            return value
    elif hint is str:
        if isinstance(value, str) and len(value) <= TEXT_MAX and "\x00" not in value:
            return value
    else:  # pragma: no cover - a context declares only the types above
        raise TypeError(f"{name}: unsupported type {hint!r}")
    raise BadContext(f"{name}: expected {getattr(hint, '__name__', hint)}")


def parse_id(raw: Any) -> int | None:
    """A record id from a button value or a card field ("12" or 12), or None when it is
    not a plain id (empty, negative, not a number, beyond the id columns' range)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= ID_MAX else None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 19:
        value = int(raw)
        return value if 0 < value <= ID_MAX else None
    return None
