"""Read a trajectory file (see ``examples/hitteplan.yaml``) into plain dataclasses.

``parse(text, filename)`` and ``load(path)`` return ``(TrajectoryFile, [])`` when the
file is valid and ``(None, errors)`` otherwise, with *every* error found, sorted by
line.  Each :class:`FileError` knows its file, line, field path (``sessions[2].starts``)
and a message code from ``templates/<lang>/validation.yaml``; ``format()`` gives the
CLI form ``FILE:LINE: field.path: message``.

How it works: PyYAML composes the document into nodes (which carry line numbers), a
small walker checks the nodes section by section against the schema, and the
cross-references (organisations, people, roles, forms) are checked once all sections
are read.  Nothing here touches a database or the network.

Free text (names, titles, agendas) is stored intact, without a length limit: cutting
and escaping is the job of whoever renders it.  Only the values echoed back inside
error messages are shortened.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.i18n import t
from bot.yaml_loader import DateProblem, Loader, construct_scalar, parse_date, parse_datetime, yaml_problem

FILE_VERSION = 1
DEFAULT_LANGUAGE = "nl"
DEFAULT_TIMEZONE = "Europe/Amsterdam"
ROLES = ("trekker", "ambassadeur", "deelnemer", "expert", "bestuurder")
LANGUAGES = ("nl", "en")
PLATFORMS = ("slack", "teams")
QUESTION_TYPES = ("rating", "choice", "multi", "text")
PHASES = (1, 2, 3)
WEEKDAYS = {
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5, "zondag": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
MAX_KEY_LENGTH = 64
MAX_OPTIONS = 10
MIN_OPTIONS = 2
MAX_OPTION_LENGTH = 75
SCALE_RANGE = (2, 10)
DEFAULT_SCALE = 5
MIN_ANONYMOUS_THRESHOLD = 3
MAX_DAYS = 365
MAX_FILE_CHARS = 5_000_000   # a real trajectory file is a few kB
MAX_NODES = 200_000          # nodes the walker visits; guards against alias bombs

_KEY_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")
_SLACK_ID_RE = re.compile(r"[CGD][A-Z0-9]{2,}")
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"


# --------------------------------------------------------------------------- output


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


@dataclass
class SummarySpec:
    weekday: int  # 0 = monday .. 6 = sunday
    time: dt.time


@dataclass
class RemindersSpec:
    rsvp_days_before: list[int] = dataclasses.field(default_factory=lambda: [7, 2])
    attendee_day_before: bool = True
    commitment_days_before: int = 7
    commitment_overdue_every: int = 7
    commitment_escalate_after: int = 7
    memo_reminder_days: int | None = None
    evaluation_delay_minutes: int = 15
    evaluation_open_days: int = 7
    evaluation_reminder_days: int = 2
    anonymous_threshold: int = 3


@dataclass
class TrajectorySpec:
    key: str
    title: str
    theme: str | None = None
    language: str = DEFAULT_LANGUAGE
    timezone: str = DEFAULT_TIMEZONE
    status_channels: list[str] = dataclasses.field(default_factory=list)
    summary: SummarySpec | None = None
    current_phase: int = 1
    reminders: RemindersSpec = dataclasses.field(default_factory=RemindersSpec)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass
class PhaseSpec:
    number: int
    name: str
    starting_point: str
    result: str


@dataclass
class OrganisationSpec:
    key: str
    name: str
    kind: str | None = None


@dataclass
class PersonSpec:
    name: str
    email: str
    organisation: str
    roles: list[str]
    language: str | None = None
    platform: str | None = None


@dataclass
class InviteSpec:
    roles: list[str] = dataclasses.field(default_factory=list)
    organisations: list[str] = dataclasses.field(default_factory=list)
    people: list[str] = dataclasses.field(default_factory=list)

    def includes(self, person: PersonSpec) -> bool:
        return (
            person.email in self.people
            or person.organisation in self.organisations
            or any(role in self.roles for role in person.roles)
        )


@dataclass
class SessionSpec:
    key: str
    kind: str | None
    title: str
    phase: int
    starts: dt.datetime
    ends: dt.datetime
    location: str | None = None
    agenda: str | None = None
    invite: InviteSpec = dataclasses.field(default_factory=InviteSpec)
    evaluation: str | None = None
    cancelled: bool = False


@dataclass
class CommitmentSpec:
    key: str
    organisation: str
    owner: str
    description: str
    due: dt.date
    phase: int | None = None


@dataclass
class QuestionSpec:
    key: str
    type: str
    question: str
    scale: int | None = None
    options: list[str] = dataclasses.field(default_factory=list)
    optional: bool = False


@dataclass
class FormSpec:
    key: str
    anonymous: bool = False
    questions: list[QuestionSpec] = dataclasses.field(default_factory=list)


@dataclass
class TrajectoryFile:
    path: str
    trajectory: TrajectorySpec
    phases: dict[int, PhaseSpec]
    organisations: list[OrganisationSpec]
    people: list[PersonSpec]
    sessions: list[SessionSpec]
    commitments: list[CommitmentSpec]
    evaluation_forms: dict[str, FormSpec]

    def person(self, email: str) -> PersonSpec | None:
        email = email.strip().lower()
        return next((p for p in self.people if p.email == email), None)

    def organisation(self, key: str) -> OrganisationSpec | None:
        return next((o for o in self.organisations if o.key == key), None)

    def session(self, key: str) -> SessionSpec | None:
        return next((s for s in self.sessions if s.key == key), None)

    def invitees(self, session: SessionSpec) -> list[PersonSpec]:
        """Everyone the session invites, each once, in the order of ``people``."""
        return [p for p in self.people if session.invite.includes(p)]


# --------------------------------------------------------------------------- entry points


def load(path: str | Path) -> tuple[TrajectoryFile | None, list[FileError]]:
    filename = str(path)
    if Path(path).is_dir():
        return None, [FileError(filename, 0, "", "is_directory", {})]
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None, [FileError(filename, 0, "", "not_found", {})]
    except PermissionError:
        return None, [FileError(filename, 0, "", "no_permission", {})]
    except OSError as exc:
        return None, [FileError(filename, 0, "", "unreadable", {"reason": _short(exc.strerror or exc)})]
    if len(raw) > MAX_FILE_CHARS:
        return None, [FileError(filename, 0, "", "too_large", {})]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [FileError(filename, line, "", "not_utf8", {})]
    return parse(text, filename)


def parse(text: str, filename: str) -> tuple[TrajectoryFile | None, list[FileError]]:
    if len(text) > MAX_FILE_CHARS:
        return None, [FileError(filename, 0, "", "too_large", {})]
    root, duplicates, errors = _compose(text, filename)
    if errors:
        return None, errors
    checker = _Checker(filename)
    checker.errors.extend(duplicates)
    try:
        result = _read_document(checker, root)
    except _TooLarge:
        checker.errors.append(FileError(filename, 0, "", "too_large", {}))
        result = None
    if checker.errors:
        return None, sorted(checker.errors, key=lambda e: e.line)
    return result, []


# --------------------------------------------------------------------------- YAML layer


def _compose(text: str, filename: str) -> tuple[Node | None, list[FileError], list[FileError]]:
    """The document's node tree with merge keys resolved, its duplicate keys, or the YAML error."""
    loader = None
    try:
        loader = Loader(text)  # the reader refuses control characters right here
        root = loader.get_single_node()
        duplicates = _duplicate_keys(root, filename) if root is not None else []
        if root is not None:
            loader.construct_document(root)  # proves every tag constructs; flattens `<<`
    except yaml.YAMLError as exc:
        line, code, params = yaml_problem(exc, text)
        return None, [], [FileError(filename, line, "", code, params)]
    except RecursionError:
        return None, [], [FileError(filename, 0, "", "too_deep", {})]
    finally:
        if loader is not None:
            loader.dispose()
    if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL_TAG):
        return None, [], [FileError(filename, 1, "", "empty_document", {})]
    return root, duplicates, []


def _duplicate_keys(root: Node, filename: str) -> list[FileError]:
    """Keys repeated inside one mapping, found before PyYAML silently keeps the last.

    Walks every node once (aliases are not followed twice), without recursion.
    """
    found: list[FileError] = []
    visited: set[int] = set()
    stack: list[tuple[Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    stack.append((value_node, path))
                    continue
                if key_node.tag == _MERGE_TAG:
                    stack.append((value_node, path))
                    continue
                name = key_node.value
                child = _join(path, name)
                line = key_node.start_mark.line + 1
                ident = (key_node.tag, name)
                if ident in first:
                    params = {"name": _short(name), "first_line": first[ident]}
                    found.append(FileError(filename, line, child, "yaml_duplicate_key", params))
                else:
                    first[ident] = line
                stack.append((value_node, child))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, f"{path}[{index}]"))
    return found


def _join(path: str, name: Any) -> str:
    return f"{path}.{name}" if path else str(name)


_NOT_SCALAR = object()


class _Node:
    """A YAML node with the field path and line that errors about it report."""

    __slots__ = ("node", "path", "line", "_value")

    def __init__(self, node: Node, path: str, line: int | None = None):
        self.node = node
        self.path = path
        self.line = line if line is not None else node.start_mark.line + 1
        self._value: Any = _NOT_SCALAR

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.node, MappingNode)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.node, SequenceNode)

    @property
    def is_null(self) -> bool:
        return isinstance(self.node, ScalarNode) and self.node.tag == _NULL_TAG

    @property
    def value(self) -> Any:
        """The Python value of a scalar (str, int, bool, date, ...); ``_NOT_SCALAR`` otherwise."""
        if self._value is _NOT_SCALAR and isinstance(self.node, ScalarNode):
            self._value = construct_scalar(self.node)
        return self._value

    @property
    def source(self) -> str | None:
        """The scalar exactly as written (``9:00`` rather than the sexagesimal 540)."""
        return self.node.value if isinstance(self.node, ScalarNode) else None

    def child(self, name: Any) -> str:
        return _join(self.path, name)


class _TooLarge(Exception):
    pass


# --------------------------------------------------------------------------- checker


class _Checker:
    """Collects errors and reads typed values from nodes; every reader returns None on error."""

    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[FileError] = []
        self._budget = MAX_NODES

    # errors -------------------------------------------------------------

    def error(self, at: _Node, code: str, *, field: str | None = None, line: int | None = None, **params: Any) -> None:
        self.errors.append(
            FileError(self.filename, at.line if line is None else line, at.path if field is None else field, code, params)
        )

    def _spend(self, count: int) -> None:
        self._budget -= count
        if self._budget < 0:
            raise _TooLarge()

    # structure ----------------------------------------------------------

    def fields(self, n: _Node | None, allowed: Iterable[str], required: Iterable[str] = ()) -> dict[str, _Node] | None:
        """The fields of a mapping; reports unknown and missing ones.  Null values count as absent."""
        if n is None:
            return None
        if not n.is_mapping:
            self.error(n, "not_mapping")
            return None
        allowed = tuple(allowed)
        required = tuple(required)
        self._spend(len(n.node.value))
        present: dict[str, _Node] = {}
        named: set[str] = set()
        for key_node, value_node in n.node.value:
            line = key_node.start_mark.line + 1
            name = key_node.value if isinstance(key_node, ScalarNode) else "?"
            path = n.child(name)
            if name not in allowed:
                self.error(n, "unknown_field", field=path, line=line, name=_short(name),
                           suggestion=_suggest(name, allowed), choices=_choices(allowed))
                continue
            named.add(name)
            child = _Node(value_node, path, line)
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

    def items(self, n: _Node | None, *, accept_scalar: bool = False) -> list[_Node] | None:
        """The items of a list, each with path ``parent[i]``.  ``accept_scalar``: ``x`` means ``[x]``."""
        if n is None:
            return None
        if accept_scalar and isinstance(n.node, ScalarNode):
            return [n]
        if not n.is_sequence:
            self.error(n, "not_list")
            return None
        self._spend(len(n.node.value))
        return [_Node(item, f"{n.path}[{i}]") for i, item in enumerate(n.node.value)]

    # scalars ------------------------------------------------------------

    def text(self, n: _Node | None) -> str | None:
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

    def optional_text(self, n: _Node | None) -> str | None:
        if n is None or (isinstance(n.value, str) and not n.value.strip()):
            return None
        return self.text(n)

    def key(self, n: _Node | None) -> str | None:
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
            self.error(n, "invalid_key", value=_short(value), max=MAX_KEY_LENGTH)
            return None
        return value

    def integer(self, n: _Node | None, low: int, high: int) -> int | None:
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

    def boolean(self, n: _Node | None) -> bool | None:
        if n is None:
            return None
        if not isinstance(n.value, bool):
            self.error(n, "not_boolean")
            return None
        return n.value

    def choice(self, n: _Node | None, choices: Iterable[str], code: str = "unknown_value") -> str | None:
        """One of ``choices`` (case-insensitive)."""
        value = self.text(n)
        if value is None:
            return None
        value = value.lower()
        return value if self.known(n, value, choices, code) else None

    def email(self, n: _Node | None) -> str | None:
        value = self.text(n)
        if value is None:
            return None
        value = value.lower()
        if not _EMAIL_RE.fullmatch(value):
            self.error(n, "invalid_email", value=_short(value))
            return None
        return value

    def known(self, n: _Node, value: str, choices: Iterable[str] | None, code: str) -> bool:
        """Whether ``value`` is one of ``choices``; ``None`` choices (section broken) accepts all."""
        if choices is None:
            return True
        choices = list(choices)
        if value in choices:
            return True
        self.error(n, code, value=_short(value), choices=_choices(choices), suggestion=_suggest(value, choices))
        return False

    def unique(self, n: _Node, value: str | None, seen: dict[str, int], code: str = "duplicate_key") -> bool:
        """Records ``value`` in ``seen``; a repeat is an error naming the line of the first."""
        if value is None:
            return False
        if value in seen:
            self.error(n, code, value=_short(value), first_line=seen[value])
            return False
        seen[value] = n.line
        return True

    # times --------------------------------------------------------------

    def local_datetime(self, n: _Node | None, zone: ZoneInfo | None) -> dt.datetime | None:
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
            self.error(n, "invalid_datetime", value=_short(n.source if n.source is not None else "..."))
            return None
        if zone is None:
            return moment.replace(tzinfo=None)
        if moment.tzinfo is not None:  # an explicit offset is unambiguous
            return moment.astimezone(zone)
        return self._in_zone(n, moment, zone)

    def _in_zone(self, n: _Node, naive: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
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

    def date(self, n: _Node | None) -> dt.date | None:
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
        self.error(n, "invalid_date", value=_short(n.source if n.source is not None else "..."))
        return None

    def _dated(self, n: _Node, parse: Callable[[str], Any]) -> Any:
        """``parse(n.value)``; False (and the error reported) when the day or time does not exist."""
        try:
            return parse(n.value)
        except DateProblem as problem:
            self.error(n, problem.code, **problem.params)
            return False

    def clock_time(self, n: _Node | None) -> dt.time | None:
        """``HH:MM``, read from the source text (YAML 1.1 reads ``9:00`` as the number 540)."""
        if n is None:
            return None
        source = n.source.strip() if n.source is not None else ""
        m = _TIME_RE.fullmatch(source)
        if m and int(m[1]) < 24 and int(m[2]) < 60:
            return dt.time(int(m[1]), int(m[2]))
        self.error(n, "invalid_time", value=_short(source or "..."))
        return None


# --------------------------------------------------------------------------- sections

_TOP_FIELDS = ("version", "trajectory", "phases", "organisations", "people", "sessions", "commitments",
               "evaluation_forms")
_TRAJECTORY_FIELDS = ("key", "title", "theme", "language", "timezone", "status_channel", "summary",
                      "current_phase", "reminders")
_PHASE_FIELDS = ("name", "starting_point", "result")
_ORGANISATION_FIELDS = ("key", "name", "kind")
_PERSON_FIELDS = ("name", "email", "organisation", "roles", "language", "platform")
_SESSION_FIELDS = ("key", "kind", "title", "phase", "starts", "ends", "location", "agenda", "invite",
                   "evaluation", "cancelled")
_INVITE_FIELDS = ("roles", "organisations", "people")
_COMMITMENT_FIELDS = ("key", "organisation", "owner", "description", "due", "phase")
_FORM_FIELDS = ("anonymous", "questions")
_QUESTION_FIELDS = ("key", "type", "question", "scale", "options", "optional")
_SUMMARY_FIELDS = ("weekday", "time")
# reminders: field -> (low, high) for integers; booleans and lists are handled by name
_REMINDER_RANGES = {
    "commitment_days_before": (0, MAX_DAYS),
    "commitment_overdue_every": (1, MAX_DAYS),
    "commitment_escalate_after": (1, MAX_DAYS),
    "memo_reminder_days": (1, MAX_DAYS),
    "evaluation_delay_minutes": (0, 7 * 24 * 60),
    "evaluation_open_days": (1, MAX_DAYS),
    "evaluation_reminder_days": (0, MAX_DAYS),
    "anonymous_threshold": (MIN_ANONYMOUS_THRESHOLD, 1000),
}
_REMINDER_FIELDS = ("rsvp_days_before", "attendee_day_before", *_REMINDER_RANGES)


@dataclass
class _Known:
    """What references may point at.  ``None`` means: that section is missing or broken,
    so references to it are not checked (its own errors already say what is wrong)."""

    organisations: dict[str, OrganisationSpec] | None = None
    people: dict[str, PersonSpec] | None = None
    forms: dict[str, FormSpec] | None = None

    @property
    def organisation_keys(self) -> list[str] | None:
        return None if self.organisations is None else list(self.organisations)

    @property
    def emails(self) -> list[str] | None:
        return None if self.people is None else list(self.people)


def _read_document(c: _Checker, root: Node) -> TrajectoryFile | None:
    top = c.fields(_Node(root, ""), _TOP_FIELDS, required=("version", "trajectory", "organisations", "people"))
    if top is None:
        return None
    _check_version(c, top.get("version"))
    trajectory, zone = _read_trajectory(c, top.get("trajectory"))
    known = _Known()
    phases = _read_phases(c, top.get("phases"))
    organisations = _read_organisations(c, top.get("organisations"), known)
    people = _read_people(c, top.get("people"), known)
    forms = _read_forms(c, top.get("evaluation_forms"), known)
    sessions = _read_sessions(c, top.get("sessions"), zone, known)
    commitments = _read_commitments(c, top.get("commitments"), known)
    return TrajectoryFile(
        path=c.filename,
        trajectory=trajectory,
        phases=phases,
        organisations=organisations,
        people=people,
        sessions=sessions,
        commitments=commitments,
        evaluation_forms=forms,
    )


def _check_version(c: _Checker, n: _Node | None) -> None:
    if n is not None and (isinstance(n.value, bool) or n.value != FILE_VERSION):
        c.error(n, "unsupported_version", value=_short(n.source or "..."), supported=FILE_VERSION)


# trajectory ---------------------------------------------------------------


def _read_trajectory(c: _Checker, n: _Node | None) -> tuple[TrajectorySpec | None, ZoneInfo | None]:
    f = c.fields(n, _TRAJECTORY_FIELDS, required=("key", "title"))
    if f is None:
        return None, _zone(DEFAULT_TIMEZONE)
    zone_name = DEFAULT_TIMEZONE
    zone: ZoneInfo | None = _zone(DEFAULT_TIMEZONE)
    if "timezone" in f:
        zone_name = c.text(f["timezone"])
        zone = _zone(zone_name) if zone_name else None
        if zone_name and zone is None:
            c.error(f["timezone"], "unknown_timezone", value=_short(zone_name),
                    suggestion=_suggest(zone_name, sorted(_timezones())))
    spec = TrajectorySpec(
        key=c.key(f.get("key")),
        title=c.text(f.get("title")),
        theme=c.optional_text(f.get("theme")),
        language=c.choice(f.get("language"), LANGUAGES) if "language" in f else DEFAULT_LANGUAGE,
        timezone=zone_name,
        status_channels=_read_channels(c, f.get("status_channel")),
        summary=_read_summary(c, f.get("summary")),
        current_phase=c.integer(f["current_phase"], 1, 3) if "current_phase" in f else 1,
        reminders=_read_reminders(c, f.get("reminders")),
    )
    return spec, zone


def _read_channels(c: _Checker, n: _Node | None) -> list[str]:
    channels: list[str] = []
    for item in c.items(n, accept_scalar=True) or []:
        channel = c.text(item)
        if channel is None:
            continue
        if not _valid_channel(channel):
            c.error(item, "invalid_channel", value=_short(channel))
        elif channel not in channels:
            channels.append(channel)
    return channels


def _valid_channel(channel: str) -> bool:
    """``#name``, a Slack id (``C0123``), ``slack:...`` or a Teams id (``teams:19:...@thread.tacv2``)."""
    platform, _, rest = channel.partition(":")
    if platform in PLATFORMS:
        ref = rest
    else:
        platform, ref = None, channel
    if not ref or any(ch.isspace() for ch in ref):
        return False
    if platform == "teams":
        return True
    if ref.startswith("#"):
        return len(ref) > 1
    if _SLACK_ID_RE.fullmatch(ref):
        return True
    return platform is None and ref.startswith("19:")  # a Teams conversation id without prefix


def _read_summary(c: _Checker, n: _Node | None) -> SummarySpec | None:
    f = c.fields(n, _SUMMARY_FIELDS, required=_SUMMARY_FIELDS)
    if f is None:
        return None
    day = c.choice(f.get("weekday"), WEEKDAYS)
    time = c.clock_time(f.get("time"))
    if day is None or time is None:
        return None
    return SummarySpec(weekday=WEEKDAYS[day], time=time)


def _read_reminders(c: _Checker, n: _Node | None) -> RemindersSpec:
    spec = RemindersSpec()
    f = c.fields(n, _REMINDER_FIELDS)
    if not f:
        return spec
    if "rsvp_days_before" in f:
        days = [c.integer(item, 0, MAX_DAYS) for item in c.items(f["rsvp_days_before"], accept_scalar=True) or []]
        spec.rsvp_days_before = sorted({d for d in days if d is not None}, reverse=True)
    if "attendee_day_before" in f:
        spec.attendee_day_before = c.boolean(f["attendee_day_before"])
    for name, (low, high) in _REMINDER_RANGES.items():
        if name in f:
            setattr(spec, name, c.integer(f[name], low, high))
    return spec


def _zone(name: str) -> ZoneInfo | None:
    """The zone, if ``name`` is an IANA zone name (not a file path or ``localtime``)."""
    names = _timezones()
    if names and name not in names:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


# phases -------------------------------------------------------------------


def _read_phases(c: _Checker, n: _Node | None) -> dict[int, PhaseSpec]:
    """``phases: {1: {...}, 2: {...}, 3: {...}}``: optional, but complete when given."""
    phases: dict[int, PhaseSpec] = {}
    if n is None:
        return phases
    if not n.is_mapping:
        c.error(n, "not_mapping")
        return phases
    seen: dict[str, int] = {}
    for key_node, value_node in n.node.value:
        number_node = _Node(key_node, n.child(key_node.value if isinstance(key_node, ScalarNode) else "?"))
        source = (number_node.source or "").strip()
        if source not in {str(p) for p in PHASES}:
            c.error(number_node, "unknown_phase", value=_short(source or "?"), choices=_choices(map(str, PHASES)))
            continue
        if not c.unique(number_node, source, seen):
            continue
        f = c.fields(_Node(value_node, number_node.path, number_node.line), _PHASE_FIELDS, required=_PHASE_FIELDS)
        if f is not None:
            number = int(source)
            phases[number] = PhaseSpec(number, c.text(f.get("name")), c.text(f.get("starting_point")),
                                       c.text(f.get("result")))
    for number in PHASES:
        if str(number) not in seen:
            c.error(n, "missing_phase", field=n.child(number), number=number)
    return phases


# organisations and people ------------------------------------------------


def _read_organisations(c: _Checker, n: _Node | None, known: _Known) -> list[OrganisationSpec]:
    items = c.items(n)
    if items is None:
        return []
    organisations: list[OrganisationSpec] = []
    seen: dict[str, int] = {}
    for item in items:
        f = c.fields(item, _ORGANISATION_FIELDS, required=("key", "name"))
        if f is None:
            continue
        key = c.key(f.get("key"))
        if "key" in f and not c.unique(f["key"], key, seen):
            key = None
        organisations.append(OrganisationSpec(key, c.text(f.get("name")), c.optional_text(f.get("kind"))))
    known.organisations = {o.key: o for o in organisations if o.key is not None}
    return organisations


def _read_people(c: _Checker, n: _Node | None, known: _Known) -> list[PersonSpec]:
    items = c.items(n)
    if items is None:
        return []
    people: list[PersonSpec] = []
    seen: dict[str, int] = {}
    for item in items:
        f = c.fields(item, _PERSON_FIELDS, required=("name", "email", "organisation", "roles"))
        if f is None:
            continue
        email = c.email(f.get("email"))
        if email is not None and not c.unique(f["email"], email, seen, code="duplicate_email"):
            email = None
        person = PersonSpec(
            name=c.text(f.get("name")),
            email=email,
            organisation=_reference(c, f.get("organisation"), known.organisation_keys, "unknown_organisation"),
            roles=_read_roles(c, f.get("roles"), allow_empty=False),
            language=c.choice(f["language"], LANGUAGES) if "language" in f else None,
            platform=c.choice(f["platform"], PLATFORMS) if "platform" in f else None,
        )
        people.append(person)
    known.people = {p.email: p for p in people if p.email is not None}
    if not any("trekker" in (p.roles or []) for p in people):
        c.error(n, "no_trekker")
    return people


def _read_roles(c: _Checker, n: _Node | None, *, allow_empty: bool) -> list[str]:
    roles: list[str] = []
    items = c.items(n, accept_scalar=True)
    if items is None:
        return roles
    for item in items:
        role = c.choice(item, ROLES, code="unknown_role")
        if role is not None and role not in roles:
            roles.append(role)
    if not items and not allow_empty:
        c.error(n, "empty_list")
    return roles


def _reference(c: _Checker, n: _Node | None, choices: list[str] | None, code: str) -> str | None:
    """A key that must be one of ``choices``."""
    value = c.key(n)
    if value is None or not c.known(n, value, choices, code):
        return None
    return value


def _email_reference(c: _Checker, n: _Node | None, known: _Known) -> str | None:
    email = c.email(n)
    if email is None or not c.known(n, email, known.emails, "unknown_person"):
        return None
    return email


# sessions -----------------------------------------------------------------


def _read_sessions(c: _Checker, n: _Node | None, zone: ZoneInfo | None, known: _Known) -> list[SessionSpec]:
    items = c.items(n)
    if items is None:
        return []
    sessions: list[SessionSpec] = []
    seen: dict[str, int] = {}
    required = ("key", "title", "phase", "starts", "ends", "invite")
    for item in items:
        f = c.fields(item, _SESSION_FIELDS, required=required)
        if f is None:
            continue
        key = c.key(f.get("key"))
        if "key" in f and not c.unique(f["key"], key, seen):
            key = None
        starts = c.local_datetime(f.get("starts"), zone)
        ends = c.local_datetime(f.get("ends"), zone)
        if starts is not None and ends is not None and ends <= starts:
            c.error(f["ends"], "ends_before_starts", starts=_show(starts), ends=_show(ends))
        evaluation = None
        if "evaluation" in f:
            forms = None if known.forms is None else list(known.forms)
            evaluation = _reference(c, f["evaluation"], forms, "unknown_form")
        sessions.append(SessionSpec(
            key=key,
            kind=c.optional_text(f.get("kind")),
            title=c.text(f.get("title")),
            phase=c.integer(f.get("phase"), 1, 3),
            starts=starts,
            ends=ends,
            location=c.optional_text(f.get("location")),
            agenda=c.optional_text(f.get("agenda")),
            invite=_read_invite(c, f.get("invite"), known),
            evaluation=evaluation,
            cancelled=c.boolean(f["cancelled"]) if "cancelled" in f else False,
        ))
    return sessions


def _read_invite(c: _Checker, n: _Node | None, known: _Known) -> InviteSpec:
    invite = InviteSpec()
    before = len(c.errors)
    f = c.fields(n, _INVITE_FIELDS)
    if f is None:
        return invite
    invite.roles = _read_roles(c, f.get("roles"), allow_empty=True)
    for item in c.items(f.get("organisations"), accept_scalar=True) or []:
        key = _reference(c, item, known.organisation_keys, "unknown_organisation")
        if key is not None and key not in invite.organisations:
            invite.organisations.append(key)
    for item in c.items(f.get("people"), accept_scalar=True) or []:
        email = _email_reference(c, item, known)
        if email is not None and email not in invite.people:
            invite.people.append(email)
    clean = len(c.errors) == before
    if clean and known.people is not None and not any(invite.includes(p) for p in known.people.values()):
        c.error(n, "invites_nobody")
    return invite


# commitments --------------------------------------------------------------


def _read_commitments(c: _Checker, n: _Node | None, known: _Known) -> list[CommitmentSpec]:
    items = c.items(n)
    if items is None:
        return []
    commitments: list[CommitmentSpec] = []
    seen: dict[str, int] = {}
    for item in items:
        f = c.fields(item, _COMMITMENT_FIELDS, required=("key", "organisation", "owner", "description", "due"))
        if f is None:
            continue
        key = c.key(f.get("key"))
        if "key" in f and not c.unique(f["key"], key, seen):
            key = None
        organisation = _reference(c, f.get("organisation"), known.organisation_keys, "unknown_organisation")
        owner = _email_reference(c, f.get("owner"), known)
        if organisation is not None and owner is not None and known.people is not None:
            actual = known.people[owner].organisation
            if actual is not None and actual != organisation:
                c.error(f["owner"], "owner_wrong_organisation", owner=owner, actual=actual,
                        organisation=organisation)
        commitments.append(CommitmentSpec(
            key=key,
            organisation=organisation,
            owner=owner,
            description=c.text(f.get("description")),
            due=c.date(f.get("due")),
            phase=c.integer(f["phase"], 1, 3) if "phase" in f else None,
        ))
    return commitments


# evaluation forms ---------------------------------------------------------


def _read_forms(c: _Checker, n: _Node | None, known: _Known) -> dict[str, FormSpec]:
    forms: dict[str, FormSpec] = {}
    if n is None:
        known.forms = forms
        return forms
    if not n.is_mapping:
        c.error(n, "not_mapping")
        return forms
    c._spend(len(n.node.value))
    for key_node, value_node in n.node.value:
        name_node = _Node(key_node, n.child(key_node.value if isinstance(key_node, ScalarNode) else "?"))
        key = c.key(name_node)
        form_node = _Node(value_node, name_node.path, name_node.line)
        form = _read_form(c, form_node, key)
        if key is not None and form is not None:
            forms[key] = form
    known.forms = forms
    return forms


def _read_form(c: _Checker, n: _Node, key: str | None) -> FormSpec | None:
    """A form is a list of questions, or ``{anonymous: bool, questions: [...]}``."""
    anonymous = False
    questions_node: _Node | None = n
    if n.is_mapping:
        f = c.fields(n, _FORM_FIELDS, required=("questions",))
        anonymous = c.boolean(f["anonymous"]) if "anonymous" in f else False
        questions_node = f.get("questions")
    items = c.items(questions_node)
    if items is None:
        return None
    if not items:
        c.error(questions_node, "empty_list")
    seen: dict[str, int] = {}
    questions = [q for q in (_read_question(c, item, seen) for item in items) if q is not None]
    return FormSpec(key=key, anonymous=anonymous, questions=questions)


def _read_question(c: _Checker, n: _Node, seen: dict[str, int]) -> QuestionSpec | None:
    f = c.fields(n, _QUESTION_FIELDS, required=("key", "type", "question"))
    if f is None:
        return None
    key = c.key(f.get("key"))
    if "key" in f and not c.unique(f["key"], key, seen):
        key = None
    kind = c.choice(f.get("type"), QUESTION_TYPES)
    question = QuestionSpec(
        key=key,
        type=kind,
        question=c.text(f.get("question")),
        optional=c.boolean(f["optional"]) if "optional" in f else False,
    )
    if kind == "rating":
        question.scale = c.integer(f["scale"], *SCALE_RANGE) if "scale" in f else DEFAULT_SCALE
    elif "scale" in f and kind is not None:
        c.error(f["scale"], "field_not_for_type", name="scale", type=kind)
    if kind in ("choice", "multi"):
        if "options" in f:
            question.options = _read_options(c, f["options"])
        else:
            c.error(n, "required", field=n.child("options"))
    elif "options" in f and kind is not None:
        c.error(f["options"], "field_not_for_type", name="options", type=kind)
    return question


def _read_options(c: _Checker, n: _Node) -> list[str]:
    """Answer options.  A plain ``Yes``/``No``/``3`` counts as text, as written."""
    items = c.items(n)
    if items is None:
        return []
    options: list[str] = []
    seen: dict[str, int] = {}
    for item in items:
        value = item.value
        if isinstance(value, (bool, int, float)) and item.node.style is None:
            value = item.source
        if not isinstance(value, str):
            c.error(item, "not_text")
            continue
        value = value.strip()
        if not value:
            c.error(item, "empty")
        elif len(value) > MAX_OPTION_LENGTH:
            c.error(item, "option_too_long", length=len(value), max=MAX_OPTION_LENGTH)
        elif c.unique(item, value.casefold(), seen, code="duplicate_option"):
            options.append(value)
    if len(items) > MAX_OPTIONS:
        c.error(n, "too_many_options", count=len(items), max=MAX_OPTIONS)
    elif len(items) < MIN_OPTIONS:
        c.error(n, "too_few_options", count=len(items), min=MIN_OPTIONS)
    return options


# --------------------------------------------------------------------------- helpers


def _short(value: Any, limit: int = 80) -> str:
    """A value echoed in a message: one line, printable, at most ``limit`` characters."""
    text = " ".join(str(value).split())
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _choices(choices: Iterable[Any], limit: int = 15) -> str:
    shown = [str(choice) for choice in choices]
    if not shown:
        return "—"
    more = len(shown) > limit
    return ", ".join(shown[:limit]) + (", …" if more else "")


def _suggest(value: Any, choices: Iterable[str]) -> str | None:
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


def _show(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
