"""The ``sessions`` section and whom each session invites."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.trajectory_format.checker import Checker
from bot.trajectory_format.model import InviteSpec, SessionSpec
from bot.trajectory_format.nodes import PathNode
from bot.trajectory_format.people import read_roles
from bot.trajectory_format.references import Known, email_reference, reference

_SESSION_FIELDS = ("key", "kind", "title", "phase", "starts", "ends", "location", "agenda", "invite",
                   "evaluation", "cancelled")
_INVITE_FIELDS = ("roles", "organisations", "people")


def read_sessions(c: Checker, n: PathNode | None, zone: ZoneInfo | None, known: Known) -> list[SessionSpec]:
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
            evaluation = reference(c, f["evaluation"], forms, "unknown_form")
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


def _read_invite(c: Checker, n: PathNode | None, known: Known) -> InviteSpec:
    invite = InviteSpec()
    before = len(c.errors)
    f = c.fields(n, _INVITE_FIELDS)
    if f is None:
        return invite
    invite.roles = read_roles(c, f.get("roles"), allow_empty=True)
    for item in c.items(f.get("organisations"), accept_scalar=True) or []:
        key = reference(c, item, known.organisation_keys, "unknown_organisation")
        if key is not None and key not in invite.organisations:
            invite.organisations.append(key)
    for item in c.items(f.get("people"), accept_scalar=True) or []:
        email = email_reference(c, item, known)
        if email is not None and email not in invite.people:
            invite.people.append(email)
    clean = len(c.errors) == before
    if clean and known.people is not None and not any(invite.includes(p) for p in known.people.values()):
        c.error(n, "invites_nobody")
    return invite


def _show(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
