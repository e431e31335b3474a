"""The walker's reader: typed values from nodes, every error collected on the way."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from yaml.nodes import ScalarNode

from bot.trajectory_format.errors import FileError, choice_list, short, suggest
from bot.trajectory_format.model import MAX_KEY_LENGTH, MAX_NODES
from bot.trajectory_format.nodes import PathNode, TooLarge
from bot.yaml_loader import DateProblem, parse_date, parse_datetime

_KEY_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")


class Checker:
    """Collects errors and reads typed values from nodes; every reader returns None on error."""

    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[FileError] = []
        self._budget = MAX_NODES

    # errors -------------------------------------------------------------

    def error(self, at: PathNode, code: str, *, field: str | None = None, line: int | None = None, **params: Any) -> None:
        self.errors.append(
            FileError(self.filename, at.line if line is None else line, at.path if field is None else field, code, params)
        )

    def spend(self, count: int) -> None:
        self._budget -= count
        if self._budget < 0:
            raise TooLarge()

    # structure ----------------------------------------------------------

    def fields(self, n: PathNode | None, allowed: Iterable[str], required: Iterable[str] = ()) -> dict[str, PathNode] | None:
        """The fields of a mapping; reports unknown and missing ones.  Null values count as absent."""
        if n is None:
            return None
        if not n.is_mapping:
            self.error(n, "not_mapping")
            return None
        allowed = tuple(allowed)
        required = tuple(required)
        self.spend(len(n.node.value))
        present: dict[str, PathNode] = {}
        named: set[str] = set()
        for key_node, value_node in n.node.value:
            line = key_node.start_mark.line + 1
            name = key_node.value if isinstance(key_node, ScalarNode) else "?"
            path = n.child(name)
            if name not in allowed:
                self.error(n, "unknown_field", field=path, line=line, name=short(name),
                           suggestion=suggest(name, allowed), choices=choice_list(allowed))
                continue
            named.add(name)
            child = PathNode(value_node, path, line)
            if child.is_null:
                present.pop(name, None)
                if name in required:
                    self.error(child, "required")
                continue
            present[name] = child
        for name in required:
            if name not in named:
                self.error(n, "required", field=n.child(name))
        return present

    def items(self, n: PathNode | None, *, accept_scalar: bool = False) -> list[PathNode] | None:
        """The items of a list, each with path ``parent[i]``.  ``accept_scalar``: ``x`` means ``[x]``."""
        if n is None:
            return None
        if accept_scalar and isinstance(n.node, ScalarNode):
            return [n]
        if not n.is_sequence:
            self.error(n, "not_list")
            return None
        self.spend(len(n.node.value))
        return [PathNode(item, f"{n.path}[{i}]") for i, item in enumerate(n.node.value)]

    # scalars ------------------------------------------------------------

    def text(self, n: PathNode | None) -> str | None:
        """A string, stripped; an empty string is an error (required fields) or None (optional)."""
        if n is None:
            return None
        value = n.value
        if not isinstance(value, str):
            self.error(n, "not_text")
            return None
        value = value.strip()
        if not value:
            self.error(n, "empty")
            return None
        return value

    def optional_text(self, n: PathNode | None) -> str | None:
        if n is None or (isinstance(n.value, str) and not n.value.strip()):
            return None
        return self.text(n)

    def key(self, n: PathNode | None) -> str | None:
        """A key like ``protocol-linde``; a plain number written as a key is read as written."""
        if n is None:
            return None
        value = n.value
        if isinstance(value, int) and not isinstance(value, bool):
            value = n.source
        if not isinstance(value, str):
            self.error(n, "not_text")
            return None
        value = value.strip()
        if not (_KEY_RE.fullmatch(value) and len(value) <= MAX_KEY_LENGTH):
            self.error(n, "invalid_key", value=short(value), max=MAX_KEY_LENGTH)
            return None
        return value

    def integer(self, n: PathNode | None, low: int, high: int) -> int | None:
        if n is None:
            return None
        value = n.value
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(n, "not_integer")
            return None
        if not low <= value <= high:
            self.error(n, "out_of_range", value=value, min=low, max=high)
            return None
        return value

    def boolean(self, n: PathNode | None) -> bool | None:
        if n is None:
            return None
        if not isinstance(n.value, bool):
            self.error(n, "not_boolean")
            return None
        return n.value

    def choice(self, n: PathNode | None, choices: Iterable[str], code: str = "unknown_value") -> str | None:
        """One of ``choices`` (case-insensitive)."""
        value = self.text(n)
        if value is None:
            return None
        value = value.lower()
        return value if self.known(n, value, choices, code) else None

    def email(self, n: PathNode | None) -> str | None:
        value = self.text(n)
        if value is None:
            return None
        value = value.lower()
        if not _EMAIL_RE.fullmatch(value):
            self.error(n, "invalid_email", value=short(value))
            return None
        return value

    def known(self, n: PathNode, value: str, choices: Iterable[str] | None, code: str) -> bool:
        """Whether ``value`` is one of ``choices``; ``None`` choices (section broken) accepts all."""
        if choices is None:
            return True
        choices = list(choices)
        if value in choices:
            return True
        self.error(n, code, value=short(value), choices=choice_list(choices), suggestion=suggest(value, choices))
        return False

    def unique(self, n: PathNode, value: str | None, seen: dict[str, int], code: str = "duplicate_key") -> bool:
        """Records ``value`` in ``seen``; a repeat is an error naming the line of the first."""
        if value is None:
            return False
        if value in seen:
            self.error(n, code, value=short(value), first_line=seen[value])
            return False
        seen[value] = n.line
        return True

    # times --------------------------------------------------------------

    def local_datetime(self, n: PathNode | None, zone: ZoneInfo | None) -> dt.datetime | None:
        """``YYYY-MM-DD HH:MM`` as an aware datetime in ``zone`` (naive when the zone is broken)."""
        if n is None:
            return None
        value = n.value
        moment = self._dated(n, parse_datetime) if isinstance(value, str) else None
        if moment is False:
            return None
        if moment is None and isinstance(value, str) and self._dated(n, parse_date) is False:
            return None  # a date without a time whose day does not exist: say that first
        if moment is None:
            self.error(n, "invalid_datetime", value=short(n.source if n.source is not None else "..."))
            return None
        if zone is None:
            return moment.replace(tzinfo=None)
        if moment.tzinfo is not None:  # an explicit offset is unambiguous
            return moment.astimezone(zone)
        return self._in_zone(n, moment, zone)

    def _in_zone(self, n: PathNode, naive: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
        first = naive.replace(tzinfo=zone, fold=0)
        second = naive.replace(tzinfo=zone, fold=1)
        if first.utcoffset() == second.utcoffset():
            return first
        shown = naive.strftime("%Y-%m-%d %H:%M")
        round_trip = first.astimezone(dt.timezone.utc).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            self.error(n, "nonexistent_time", value=shown, timezone=zone.key)
        else:
            self.error(n, "ambiguous_time", value=shown, timezone=zone.key)
        return None

    def date(self, n: PathNode | None) -> dt.date | None:
        if n is None:
            return None
        value = n.value
        day = self._dated(n, parse_date) if isinstance(value, str) else None
        if day is False:
            return None
        if day is not None:
            return day
        if isinstance(value, str) and self._dated(n, parse_datetime) is False:
            return None
        self.error(n, "invalid_date", value=short(n.source if n.source is not None else "..."))
        return None

    def _dated(self, n: PathNode, parse: Callable[[str], Any]) -> Any:
        """``parse(n.value)``; False (and the error reported) when the day or time does not exist."""
        try:
            return parse(n.value)
        except DateProblem as problem:
            self.error(n, problem.code, **problem.params)
            return False

    def clock_time(self, n: PathNode | None) -> dt.time | None:
        """``HH:MM``, read from the source text (YAML 1.1 reads ``9:00`` as the number 540)."""
        if n is None:
            return None
        source = n.source.strip() if n.source is not None else ""
        m = _TIME_RE.fullmatch(source)
        if m and int(m[1]) < 24 and int(m[2]) < 60:
            return dt.time(int(m[1]), int(m[2]))
        self.error(n, "invalid_time", value=short(source or "..."))
        return None
