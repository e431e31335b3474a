"""One error in a trajectory file, and how values are echoed inside its message."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from bot.i18n import t


@dataclass(frozen=True)
class FileError:
    file: str
    line: int
    field: str
    code: str
    params: dict = dataclasses.field(default_factory=dict, hash=False)

    def message(self, lang: str | None = "nl", escape: Callable[[str], str] | None = None) -> str:
        if escape is None:
            return t(lang, "validation." + self.code, **self.params)
        return t(lang, "validation." + self.code, escape, **self.params)

    def format(self, lang: str | None = "nl", escape: Callable[[str], str] | None = None) -> str:
        where = f"{self.file}:{self.line}"
        message = self.message(lang, escape)
        return f"{where}: {self.field}: {message}" if self.field else f"{where}: {message}"


def short(value: Any, limit: int = 80) -> str:
    """A value echoed in a message: one line, printable, at most ``limit`` characters."""
    text = " ".join(str(value).split())
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def choice_list(choices: Iterable[Any], limit: int = 15) -> str:
    shown = [str(choice) for choice in choices]
    if not shown:
        return "—"
    more = len(shown) > limit
    return ", ".join(shown[:limit]) + (", …" if more else "")


def suggest(value: Any, choices: Iterable[str]) -> str | None:
    """The closest choice, for a "did you mean ...?" hint."""
    if not isinstance(value, str) or len(value) > 100:
        return None
    by_lower = {choice.lower(): choice for choice in choices}
    if not by_lower or len(by_lower) > 2000:
        return None
    lowered = value.lower()
    if lowered in by_lower:
        return by_lower[lowered]
    match = difflib.get_close_matches(lowered, list(by_lower), n=1, cutoff=0.6)
    return by_lower[match[0]] if match else None
