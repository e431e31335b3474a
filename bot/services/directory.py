"""Who is who: trajectories, people and their roles, as seen from a chat user."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.identity import User, channel_route, matches
from bot.models import Organisation, Person, Session, Trajectory
from bot.teams import ids as teams_ids

TRAJECTORY_WORD = re.compile(r"(?:^|\s)traje(?:ct|ctory):(\S+)", re.IGNORECASE)


@dataclass
class Resolution:
    trajectory: Trajectory | None
    problem: str | None = None  # no_trajectory | unknown_trajectory | which_trajectory
    word: str | None = None
    choices: list[str] | None = None


def split_trajectory_word(text: str) -> tuple[str | None, str]:
    """``traject:<key>`` may stand anywhere; returns (key, the rest of the text)."""
    match = TRAJECTORY_WORD.search(text)
    if not match:
        return None, text.strip()
    rest = (text[: match.start()] + " " + text[match.end():]).strip()
    return match.group(1), " ".join(rest.split())


async def trajectories_of(s: AsyncSession, user: User) -> list[Trajectory]:
    rows = await s.execute(
        select(Trajectory)
        .join(Person, Person.trajectory_id == Trajectory.id)
        .where(matches(user), Person.active.is_(True))
        .order_by(Trajectory.key)
    )
    return list(rows.scalars().unique())


def _channel_matches(trajectory: Trajectory, channel_id: str | None, channel_name: str | None, platform: str = "slack") -> bool:
    for entry in trajectory.status_channels or []:
        entry_platform, value = channel_route(entry)
        is_teams = entry_platform == "teams"
        if is_teams != (platform == "teams"):
            continue
        if is_teams:
            if channel_id and teams_ids.same_channel(value, channel_id):
                return True
            continue
        if channel_id and value == channel_id:
            return True
        if channel_name and value.lstrip("#") == channel_name.lstrip("#"):
            return True
    return False


async def resolve_trajectory(
    s: AsyncSession, user: User, key: str | None, channel_id: str | None = None, channel_name: str | None = None
) -> Resolution:
    """From ``traject:<key>``, from the channel, or the user's only trajectory."""
    mine = await trajectories_of(s, user)
    choices = [t.key for t in mine]
    if key:
        found = (await s.execute(select(Trajectory).where(Trajectory.key == key))).scalar_one_or_none()
        if found is None:
            return Resolution(None, "unknown_trajectory", key, choices)
        return Resolution(found)
    if channel_id or channel_name:
        everything = (await s.execute(select(Trajectory))).scalars().all() if not mine else mine
        for trajectory in everything:
            if _channel_matches(trajectory, channel_id, channel_name, user.platform):
                return Resolution(trajectory)
    if len(mine) == 1:
        return Resolution(mine[0])
    if not mine:
        return Resolution(None, "no_trajectory")
    return Resolution(None, "which_trajectory", None, choices)


async def person_in(s: AsyncSession, trajectory_id: int, user: User) -> Person | None:
    return (
        await s.execute(
            select(Person).where(
                Person.trajectory_id == trajectory_id, matches(user), Person.active.is_(True)
            )
        )
    ).scalars().first()


async def language_of(s: AsyncSession, user: User) -> str | None:
    """The language a person reads: their own, else their (first) trajectory's; None if unknown."""
    me = (
        await s.execute(select(Person).where(matches(user), Person.active.is_(True)).order_by(Person.id))
    ).scalars().first()
    if me is None:
        return None
    return me.language or (await s.get(Trajectory, me.trajectory_id)).language


async def is_trekker(s: AsyncSession, trajectory_id: int, user: User) -> bool:
    person = await person_in(s, trajectory_id, user)
    return person is not None and person.has_role("trekker")


async def session_by_key(s: AsyncSession, trajectory_id: int, key: str) -> Session | None:
    return (
        await s.execute(
            select(Session)
            .where(Session.trajectory_id == trajectory_id, Session.key == key)
            .options(selectinload(Session.trajectory))
        )
    ).scalar_one_or_none()


async def session_keys(s: AsyncSession, trajectory_id: int) -> list[str]:
    rows = await s.execute(
        select(Session.key).where(Session.trajectory_id == trajectory_id, Session.cancelled.is_(False)).order_by(Session.starts_at)
    )
    return list(rows.scalars())


async def invitees(s: AsyncSession, session: Session) -> list[Person]:
    """Everyone the session's ``invite`` spec names (roles, organisations, people)."""
    named = _named_by(session)
    people = (
        await s.execute(
            select(Person)
            .where(Person.trajectory_id == session.trajectory_id, Person.active.is_(True))
            .options(selectinload(Person.organisation))
            .order_by(Person.id)
        )
    ).scalars().all()
    return [p for p in people if named(p.roles, p.organisation.key, p.email)]


async def invitee_ids(s: AsyncSession, session: Session) -> list[int]:
    """The ids of :func:`invitees`, read as plain rows (no objects: a count of 2,000)."""
    named = _named_by(session)
    rows = await s.execute(
        select(Person.id, Person.roles, Organisation.key, Person.email)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(Person.trajectory_id == session.trajectory_id, Person.active.is_(True))
        .order_by(Person.id)
    )
    return [person_id for person_id, roles, organisation, email in rows if named(roles, organisation, email)]


def _named_by(session: Session):
    """Whether the session's ``invite`` spec names a person: (roles, organisation key, e-mail)."""
    spec = session.invite or {}
    roles = set(spec.get("roles") or [])
    organisations = set(spec.get("organisations") or [])
    emails = {e.lower() for e in spec.get("people") or []}
    return lambda own_roles, organisation, email: bool(
        roles.intersection(own_roles or []) or organisation in organisations or email in emails
    )


async def organisations(s: AsyncSession, trajectory_id: int) -> list[Organisation]:
    """The organisations of a trajectory, by name (for the trekker's forms)."""
    return list(
        (await s.execute(select(Organisation).where(Organisation.trajectory_id == trajectory_id).order_by(Organisation.name)))
        .scalars()
        .all()
    )


async def trekkers(s: AsyncSession, trajectory_id: int) -> list[Person]:
    """The trajectory's active trekkers (reachable or not), in file order."""
    people = (
        await s.execute(select(Person).where(Person.trajectory_id == trajectory_id, Person.active.is_(True)).order_by(Person.id))
    ).scalars().all()
    return [p for p in people if p.has_role("trekker")]
