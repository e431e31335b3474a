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

This module is the one to import: it has the entry points, the YAML layer, the
document's top level and the sections that refer to nothing else (``trajectory`` and
``phases``).  The dataclasses, the walker and the other sections live in
:mod:`bot.trajectory_format`; their public names are re-exported here.

Free text (names, titles, agendas) is stored intact, without a length limit: cutting
and escaping is the job of whoever renders it.  Only the values echoed back inside
error messages are shortened.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.trajectory_format.checker import Checker
from bot.trajectory_format.commitments import read_commitments
from bot.trajectory_format.errors import FileError, choice_list, short, suggest
from bot.trajectory_format.forms import read_forms
from bot.trajectory_format.model import (
    DEFAULT_LANGUAGE, DEFAULT_SCALE, DEFAULT_TIMEZONE, FILE_VERSION, LANGUAGES, MAX_DAYS, MAX_FILE_CHARS,
    MAX_KEY_LENGTH, MAX_NODES, MAX_OPTION_LENGTH, MAX_OPTIONS, MIN_ANONYMOUS_THRESHOLD, MIN_OPTIONS, PHASES,
    PLATFORMS, QUESTION_TYPES, ROLES, SCALE_RANGE, WEEKDAYS, CommitmentSpec, FormSpec, InviteSpec,
    OrganisationSpec, PersonSpec, PhaseSpec, QuestionSpec, RemindersSpec, SessionSpec, SummarySpec,
    TrajectoryFile, TrajectorySpec,
)
from bot.trajectory_format.model import DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS
from bot.trajectory_format.nodes import MERGE_TAG, NULL_TAG, PathNode, TooLarge, join
from bot.trajectory_format.people import read_organisations, read_people
from bot.trajectory_format.references import Known
from bot.trajectory_format.sessions import read_sessions
from bot.yaml_loader import loaders, yaml_problem

__all__ = [
    "load", "parse", "FileError",
    "TrajectoryFile", "TrajectorySpec", "SummarySpec", "RemindersSpec", "PhaseSpec", "OrganisationSpec",
    "PersonSpec", "InviteSpec", "SessionSpec", "CommitmentSpec", "QuestionSpec", "FormSpec",
    "FILE_VERSION", "DEFAULT_LANGUAGE", "DEFAULT_TIMEZONE", "ROLES", "LANGUAGES", "PLATFORMS", "QUESTION_TYPES",
    "PHASES", "WEEKDAYS", "MAX_KEY_LENGTH", "MAX_OPTIONS", "MIN_OPTIONS", "MAX_OPTION_LENGTH", "SCALE_RANGE",
    "DEFAULT_SCALE", "MIN_ANONYMOUS_THRESHOLD", "MAX_DAYS", "MAX_FILE_CHARS", "MAX_NODES",
]

_SLACK_ID_RE = re.compile(r"[CGD][A-Z0-9]{2,}")
_TOP_FIELDS = ("version", "trajectory", "phases", "organisations", "people", "sessions", "commitments",
               "evaluation_forms")
_TRAJECTORY_FIELDS = ("key", "title", "theme", "language", "timezone", "status_channel", "summary",
                      "current_phase", "reminders", "retention_days")
_PHASE_FIELDS = ("name", "starting_point", "result")
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
        return None, [FileError(filename, 0, "", "unreadable", {"reason": short(exc.strerror or exc)})]
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
    checker = Checker(filename)
    checker.errors.extend(duplicates)
    try:
        result = _read_document(checker, root)
    except TooLarge:
        checker.errors.append(FileError(filename, 0, "", "too_large", {}))
        result = None
    if checker.errors:
        return None, sorted(checker.errors, key=lambda e: e.line)
    return result, []


# --------------------------------------------------------------------------- YAML layer


def _compose(text: str, filename: str) -> tuple[Node | None, list[FileError], list[FileError]]:
    """The document's node tree with merge keys resolved, its duplicate keys, or the YAML error."""
    for make in loaders(text):
        found = _compose_with(make, text, filename)
        if not found[2]:
            break
    return found


def _compose_with(make, text: str, filename: str) -> tuple[Node | None, list[FileError], list[FileError]]:
    loader = None
    try:
        loader = make(text)  # the Python reader refuses control characters right here
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
    if root is None or (isinstance(root, ScalarNode) and root.tag == NULL_TAG):
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
                if key_node.tag == MERGE_TAG:
                    stack.append((value_node, path))
                    continue
                name = key_node.value
                child = join(path, name)
                line = key_node.start_mark.line + 1
                ident = (key_node.tag, name)
                if ident in first:
                    params = {"name": short(name), "first_line": first[ident]}
                    found.append(FileError(filename, line, child, "yaml_duplicate_key", params))
                else:
                    first[ident] = line
                stack.append((value_node, child))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, f"{path}[{index}]"))
    return found


# --------------------------------------------------------------------------- document


def _read_document(c: Checker, root: Node) -> TrajectoryFile | None:
    top = c.fields(PathNode(root, ""), _TOP_FIELDS, required=("version", "trajectory", "organisations", "people"))
    if top is None:
        return None
    _check_version(c, top.get("version"))
    trajectory, zone = _read_trajectory(c, top.get("trajectory"))
    known = Known()
    phases = _read_phases(c, top.get("phases"))
    organisations = read_organisations(c, top.get("organisations"), known)
    people = read_people(c, top.get("people"), known)
    forms = read_forms(c, top.get("evaluation_forms"), known)
    sessions = read_sessions(c, top.get("sessions"), zone, known)
    commitments = read_commitments(c, top.get("commitments"), known)
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


def _check_version(c: Checker, n: PathNode | None) -> None:
    if n is not None and (isinstance(n.value, bool) or n.value != FILE_VERSION):
        c.error(n, "unsupported_version", value=short(n.source or "..."), supported=FILE_VERSION)


# trajectory ---------------------------------------------------------------


def _read_trajectory(c: Checker, n: PathNode | None) -> tuple[TrajectorySpec | None, ZoneInfo | None]:
    f = c.fields(n, _TRAJECTORY_FIELDS, required=("key", "title"))
    if f is None:
        return None, _zone(DEFAULT_TIMEZONE)
    zone_name = DEFAULT_TIMEZONE
    zone: ZoneInfo | None = _zone(DEFAULT_TIMEZONE)
    if "timezone" in f:
        zone_name = c.text(f["timezone"])
        zone = _zone(zone_name) if zone_name else None
        if zone_name and zone is None:
            c.error(f["timezone"], "unknown_timezone", value=short(zone_name),
                    suggestion=suggest(zone_name, sorted(_timezones())))
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
        retention_days=c.integer(f["retention_days"], MIN_RETENTION_DAYS, MAX_RETENTION_DAYS) or DEFAULT_RETENTION_DAYS
        if "retention_days" in f else DEFAULT_RETENTION_DAYS,
    )
    return spec, zone


def _read_channels(c: Checker, n: PathNode | None) -> list[str]:
    channels: list[str] = []
    for item in c.items(n, accept_scalar=True) or []:
        channel = c.text(item)
        if channel is None:
            continue
        if not _valid_channel(channel):
            c.error(item, "invalid_channel", value=short(channel))
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


def _read_summary(c: Checker, n: PathNode | None) -> SummarySpec | None:
    f = c.fields(n, _SUMMARY_FIELDS, required=_SUMMARY_FIELDS)
    if f is None:
        return None
    day = c.choice(f.get("weekday"), WEEKDAYS)
    time = c.clock_time(f.get("time"))
    if day is None or time is None:
        return None
    return SummarySpec(weekday=WEEKDAYS[day], time=time)


def _read_reminders(c: Checker, n: PathNode | None) -> RemindersSpec:
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


def _read_phases(c: Checker, n: PathNode | None) -> dict[int, PhaseSpec]:
    """``phases: {1: {...}, 2: {...}, 3: {...}}``: optional, but complete when given."""
    phases: dict[int, PhaseSpec] = {}
    if n is None:
        return phases
    if not n.is_mapping:
        c.error(n, "not_mapping")
        return phases
    seen: dict[str, int] = {}
    for key_node, value_node in n.node.value:
        number_node = PathNode(key_node, n.child(key_node.value if isinstance(key_node, ScalarNode) else "?"))
        source = (number_node.source or "").strip()
        if source not in {str(p) for p in PHASES}:
            c.error(number_node, "unknown_phase", value=short(source or "?"), choices=choice_list(map(str, PHASES)))
            continue
        if not c.unique(number_node, source, seen):
            continue
        f = c.fields(PathNode(value_node, number_node.path, number_node.line), _PHASE_FIELDS, required=_PHASE_FIELDS)
        if f is not None:
            number = int(source)
            phases[number] = PhaseSpec(number, c.text(f.get("name")), c.text(f.get("starting_point")),
                                       c.text(f.get("result")))
    for number in PHASES:
        if str(number) not in seen:
            c.error(n, "missing_phase", field=n.child(number), number=number)
    return phases
