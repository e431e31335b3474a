"""The YAML layer of trajectory files: a safe loader that leaves dates to us, the date
and time rules of the file format, and PyYAML's errors as message codes with a line.

PyYAML turns ``2027-09-31`` into a date while it builds the document and raises a bare
``ValueError`` (no line) when the day does not exist.  Our loader does not resolve
timestamps at all: they stay text, and :func:`parse_date` / :func:`parse_datetime` read
them with the file's own rules, so the checker can say which field on which line holds
an impossible day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

from bot.limits import has_unstorable

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
UNSTORABLE_PROBLEM = "found a character no database can store"

_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# Date and time: a space or T between; seconds and a UTC offset (Z, +01:00) are optional.
_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d*)?)?"
    r"[ \t]*(Z|z|[-+]\d{1,2}(?::?\d{2})?)?"
)


class DateProblem(ValueError):
    """A date or time that does not exist; ``code`` and ``params`` are for validation.yaml."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


# --------------------------------------------------------------------------- loader


class Resolver_(Resolver):
    """YAML 1.1 implicit types, minus timestamps (they stay strings)."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
        for first, resolvers in Resolver.yaml_implicit_resolvers.items()
    }


class Constructor(SafeConstructor):
    """SafeConstructor; an explicit ``!!timestamp`` stays text, and a value a constructor
    cannot make (``!!int abc``) is a YAML error at the node's line, not a bare ValueError."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ConstructorError(None, None, f"cannot construct {node.tag}: {exc}", node.start_mark) from exc

    def construct_scalar(self, node):
        value = super().construct_scalar(node)
        if isinstance(value, str) and has_unstorable(value):  # an escape such as "\0" or "\ud800"
            raise ConstructorError(None, None, UNSTORABLE_PROBLEM, node.start_mark)
        return value

    def construct_timestamp_as_text(self, node):
        return self.construct_scalar(node)


Constructor.add_constructor(_TIMESTAMP_TAG, Constructor.construct_timestamp_as_text)


class Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
             Constructor, Resolver_):
    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        Constructor.__init__(self)
        Resolver_.__init__(self)


try:  # libyaml's parser (C): the same nodes and marks, several times faster
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None

if CParser is not None:

    class FastLoader(CParser, Constructor, Resolver_):
        def __init__(self, stream):
            CParser.__init__(self, stream)
            Constructor.__init__(self)
            Resolver_.__init__(self)

        def get_single_node(self):
            """As the Python composer builds it: a plain scalar has style None (libyaml: '')."""
            root = super().get_single_node()
            seen: set[int] = set()
            todo = [root] if root is not None else []
            while todo:
                node = todo.pop()
                if id(node) in seen:
                    continue
                seen.add(id(node))
                if isinstance(node, yaml.ScalarNode):
                    node.style = node.style or None
                elif isinstance(node, yaml.SequenceNode):
                    todo.extend(node.value)
                elif isinstance(node, yaml.MappingNode):
                    todo.extend(n for pair in node.value for n in pair)
            return root

else:
    FastLoader = None


def loaders(text: str) -> list[type]:
    """The loaders to try in order.  The C parser goes first when there is one; a document
    it refuses is read again by the pure-Python loader, whose errors (message and line)
    are the ones ``yaml_problem`` knows.  Text with characters the Python reader refuses
    goes straight to it, so that refusal stays the same."""
    if FastLoader is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return [Loader]
    return [FastLoader, Loader]


def construct_scalar(node: yaml.ScalarNode) -> Any:
    """The Python value of one scalar node, by the same rules as :class:`Loader`."""
    return Constructor().construct_object(node)


# --------------------------------------------------------------------------- dates


def _day(value: str, year: str, month: str, day: str) -> dt.date:
    y, m, d = int(year), int(month), int(day)
    if not 1 <= m <= 12:
        raise DateProblem("nonexistent_month", value=value, month=m)
    days = calendar.monthrange(y, m)[1] if y >= 1 else 31
    if not 1 <= d <= days:
        raise DateProblem("nonexistent_day", value=value, year=y, month=m, days=days)
    return dt.date(y, m, d)


def parse_date(text: str) -> dt.date | None:
    """``2027-04-06`` as a date; None when it is not written as a date at all;
    :class:`DateProblem` when it is, but the day does not exist."""
    value = text.strip()
    m = _DATE_RE.fullmatch(value)
    return _day(value, *m.groups()) if m else None


def parse_datetime(text: str) -> dt.datetime | None:
    """``2027-03-09 14:00`` (naive) or with an offset (aware); None when it is not
    written as a date and time; :class:`DateProblem` when the day or the time does not exist."""
    value = text.strip()
    m = _DATETIME_RE.fullmatch(value)
    if not m:
        return None
    year, month, day, hour, minute, second, offset = m.groups()
    date = _day(value, year, month, day)
    h, mi, s = int(hour), int(minute), int(second or 0)
    if h > 23 or mi > 59 or s > 59:
        raise DateProblem("nonexistent_clock", value=value)
    zone = _offset(value, offset) if offset else None
    return dt.datetime(date.year, date.month, date.day, h, mi, s, tzinfo=zone)


def _offset(value: str, offset: str) -> dt.timezone:
    if offset in ("Z", "z"):
        return dt.timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 23 or minutes > 59:
        raise DateProblem("nonexistent_clock", value=value)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


# --------------------------------------------------------------------------- YAML errors

# PyYAML's problem text -> our message code.  Checked in order; the first match wins.
_PROBLEMS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"found character '\\t'|found a tab character"), "yaml_tab"),
    (re.compile(UNSTORABLE_PROBLEM), "yaml_unstorable_character"),
    (re.compile(r"found unexpected end of stream"), "yaml_unclosed_quote"),
    (re.compile(r"found character '(.)' that cannot start any token"), "yaml_bad_start"),
    (re.compile(r"mapping values are not allowed here"), "yaml_unexpected_colon"),
    (re.compile(r"could not find expected ':'"), "yaml_missing_colon"),
    (re.compile(r"expected ',' or '\]'"), "yaml_unclosed_list"),
    (re.compile(r"expected ',' or '\}'"), "yaml_unclosed_mapping"),
    (re.compile(r"expected <block end>|expected <block mapping start>|did not find expected key"
                r"|did not find expected '-' indicator"), "yaml_indent"),
    (re.compile(r"found undefined alias '(.*)'"), "yaml_unknown_alias"),
    (re.compile(r"but found another document"), "yaml_two_documents"),
    (re.compile(r"could not determine a constructor|cannot construct"), "yaml_unknown_tag"),
]


def yaml_problem(exc: yaml.YAMLError, text: str) -> tuple[int, str, dict]:
    """``(line, code, params)`` for a PyYAML error: the line where the user should look."""
    if isinstance(exc, yaml.reader.ReaderError):
        return text[: exc.position].count("\n") + 1, "yaml_control_character", {}
    problem = str(getattr(exc, "problem", None) or exc)
    context = str(getattr(exc, "context", None) or "")
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    mark = problem_mark or context_mark
    for pattern, code in _PROBLEMS:
        m = pattern.search(problem)
        if not m:
            continue
        params: dict[str, Any] = {}
        if code in ("yaml_unclosed_quote", "yaml_unclosed_list", "yaml_unclosed_mapping") and context_mark:
            mark = context_mark  # where it was opened: that is where the fix goes
        if code == "yaml_unclosed_quote" and "quoted" not in context:
            continue
        if code in ("yaml_bad_start", "yaml_unknown_alias"):
            params["value"] = m.group(1)[:40]
        return (mark.line + 1 if mark else 0), code, params
    return (mark.line + 1 if mark else 0), "yaml_syntax", {}
