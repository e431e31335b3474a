"""Writing a memo: the form's choices, the rules a draft must meet, saving the draft.

The rules live here, once, for every channel: :func:`check` raises
:class:`~bot.interactions.errors.Problems` per field (field names ``title``, ``body``,
``audience``, ``roles``, ``organisations``, ``session``, ``report``, ``reminder``).
Sending and reading a memo are in :mod:`bot.services.memos`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.interactions.errors import Problem, Problems, Refused
from bot.limits import MEMO_BODY_LIMIT, MEMO_TITLE_LIMIT, storable
from bot.models import MEMO_AUDIENCES, ROLES, Memo, Organisation, Person, Session, Trajectory
from bot.services import directory
from bot.services.memos import audience_of

REPORTS = ("before", "after")
REMINDER_CHOICES = (1, 2, 3, 5, 7, 14)


@dataclass(frozen=True)
class Draft:
    """What the trekker filled in (session by key, organisations by key)."""

    title: str = ""
    body: str = ""
    audience: str | None = None
    roles: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    session: str | None = None
    report: str | None = None
    reminder_days: int | None = None


async def form_options(s: AsyncSession, trajectory: Trajectory) -> dict:
    """The choices the memo form offers."""
    organisations = (
        await s.execute(select(Organisation).where(Organisation.trajectory_id == trajectory.id).order_by(Organisation.name))
    ).scalars().all()
    sessions = (
        await s.execute(
            select(Session)
            .where(Session.trajectory_id == trajectory.id, Session.cancelled.is_(False))
            .order_by(Session.starts_at)
        )
    ).scalars().all()
    reminder = (trajectory.reminders or {}).get("memo_reminder_days")
    return {
        "trajectory_id": trajectory.id,
        "trajectory": trajectory.title,
        "timezone": trajectory.timezone,
        "roles": list(ROLES),
        "organisations": [{"key": o.key, "name": o.name} for o in organisations],
        "sessions": [
            {"key": x.key, "title": x.title, "starts": x.starts_at.isoformat(), "ends": x.ends_at.isoformat()} for x in sessions
        ],
        "reminder_choices": sorted(set(REMINDER_CHOICES) | ({int(reminder)} if reminder else set())),
        "reminder_default": int(reminder) if reminder else None,
    }


async def draft_of(s: AsyncSession, memo: Memo) -> Draft:
    """A saved draft as the form shows it again."""
    audience = memo.audience or {}
    session = await s.get(Session, memo.session_id) if memo.session_id else None
    return Draft(
        title=memo.title,
        body=memo.body,
        audience=audience.get("kind"),
        roles=list(audience.get("roles") or []),
        organisations=list(audience.get("organisations") or []),
        session=session.key if session else None,
        report=memo.report,
        reminder_days=memo.reminder_days,
    )


def _text(name: str, value: str, limit: int, problems: dict[str, Problem]) -> None:
    if not value.strip():
        problems[name] = Problem("memo.errors.required")
    elif len(value) > limit:
        problems[name] = Problem("memo.errors.too_long", {"limit": limit, "length": len(value)})


def _choices(draft: Draft, options: dict) -> dict[str, str]:
    """Field -> error code for the audience and the other choices."""
    errors: dict[str, str] = {}
    if draft.audience not in MEMO_AUDIENCES:
        errors["audience"] = "required"
    elif draft.audience == "roles" and not draft.roles:
        errors["roles"] = "pick_roles"
    elif draft.audience == "organisations" and not draft.organisations:
        errors["organisations"] = "pick_organisations"
    elif draft.audience == "session" and not draft.session:
        errors["session"] = "pick_session"
    if any(r not in ROLES for r in draft.roles):
        errors["roles"] = "not_an_option"
    if any(o not in {o["key"] for o in options["organisations"]} for o in draft.organisations):
        errors["organisations"] = "not_an_option"
    if draft.session is not None and draft.session not in {x["key"] for x in options["sessions"]}:
        errors["session"] = "not_an_option"
    if draft.report is not None and draft.report not in REPORTS:
        errors["report"] = "not_an_option"
    elif draft.report is not None and not draft.session and "session" not in errors:
        errors["session"] = "report_needs_session"
    if draft.reminder_days is not None and not 1 <= draft.reminder_days <= 365:
        errors["reminder"] = "not_an_option"
    return errors


def check(draft: Draft, options: dict) -> Draft:
    """The draft as it will be saved (NUL characters, which no database keeps, taken out),
    or Problems per field for everything wrong with it (always on the server)."""
    draft = replace(draft, title=storable(draft.title), body=storable(draft.body))
    problems: dict[str, Problem] = {}
    _text("title", draft.title, MEMO_TITLE_LIMIT, problems)
    _text("body", draft.body, MEMO_BODY_LIMIT, problems)
    problems.update({name: Problem(f"memo.errors.{code}") for name, code in _choices(draft, options).items()})
    if problems:
        raise Problems(problems)
    return draft


def _audience(draft: Draft) -> dict[str, Any]:
    audience: dict[str, Any] = {"kind": draft.audience}
    if draft.audience == "roles":
        audience["roles"] = list(draft.roles)
    elif draft.audience == "organisations":
        audience["organisations"] = list(draft.organisations)
    return audience


async def _session_id(s: AsyncSession, trajectory: Trajectory, key: str | None) -> int | None:
    if not key:
        return None
    session = await directory.session_by_key(s, trajectory.id, key)
    return session.id if session is not None else None


async def reachable_count(s: AsyncSession, trajectory: Trajectory, author: Person, draft: Draft) -> int:
    """How many people the draft would reach (nothing is saved)."""
    probe = Memo(
        trajectory_id=trajectory.id,
        author_id=author.id,
        audience=_audience(draft),
        session_id=await _session_id(s, trajectory, draft.session),
    )
    return sum(1 for p in await audience_of(s, probe) if p.reachable)


async def save_draft(
    s: AsyncSession, ctx: Context, trajectory: Trajectory, author: Person, draft: Draft, memo_id: int | None = None
) -> Memo:
    """Create or update the draft (a checked one: :func:`check`).  Refused when
    ``memo_id`` is not this author's draft in this trajectory."""
    if memo_id:
        memo = await s.get(Memo, memo_id)
        if memo is None or memo.author_id != author.id or memo.status != "draft" or memo.trajectory_id != trajectory.id:
            raise Refused("memo.errors.unknown")
    else:
        memo = Memo(trajectory_id=trajectory.id, author_id=author.id, status="draft", created_at=ctx.now())
        s.add(memo)
    memo.title = draft.title.strip()
    memo.body = draft.body.rstrip()
    memo.audience = _audience(draft)
    memo.session_id = await _session_id(s, trajectory, draft.session)
    memo.report = draft.report
    memo.reminder_days = draft.reminder_days
    await s.flush()
    return memo
