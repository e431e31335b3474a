"""Matching people to their Teams accounts by e-mail, and where to reach them.

Two ways in: ``koppel`` in a team channel reads the team roster and links everyone of
the trajectory whose e-mail matches; someone who installs the app personally (or writes
to the bot) is matched on their first activity.  A match stores the Teams user id
(``29:...``) and a conversation reference (service URL, tenant, the 1:1 conversation
when known) in ``Person.teams_reference``, so the outbox can reach them later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select

from bot import lookups
from bot.chat import ChatError
from bot.context import Context
from bot.db import Database
from bot.models import Person, Trajectory

log = logging.getLogger("dialoogbot.teams")


def channel_data(activity: Any) -> dict:
    data = getattr(activity, "channel_data", None)
    if data is None:
        return {}
    if isinstance(data, dict):
        return data
    return data.model_dump(by_alias=True, exclude_none=True) if hasattr(data, "model_dump") else dict(data)


def tenant_of(activity: Any) -> str | None:
    conversation = activity.conversation
    return getattr(conversation, "tenant_id", None) or (channel_data(activity).get("tenant") or {}).get("id")


def emails_of(member: dict) -> set[str]:
    """The addresses a roster entry may match: e-mail and user principal name."""
    found = set()
    for key in ("email", "userPrincipalName", "user_principal_name"):
        value = member.get(key)
        if isinstance(value, str) and "@" in value:
            found.add(value.strip().lower())
    return found


def reference(service_url: str | None, tenant_id: str | None, member: dict, conversation_id: str | None = None) -> dict:
    ref = {
        "serviceUrl": service_url,
        "tenantId": tenant_id,
        "userId": member.get("id"),
        "aadObjectId": member.get("aadObjectId") or member.get("aad_object_id"),
        "name": member.get("name"),
    }
    if conversation_id:
        ref["conversationId"] = conversation_id
    return {k: v for k, v in ref.items() if v}


# -- look-ups the chat adapter uses -------------------------------------------------


async def reference_for(db: Database, user_id: str) -> dict | None:
    async with db.sessionmaker() as s:
        rows = (
            await s.execute(
                select(Person.teams_reference).where(Person.teams_user_id == user_id, Person.teams_reference.is_not(None))
            )
        ).scalars().all()
    best = None
    for ref in rows:
        if ref and (best is None or (ref.get("conversationId") and not best.get("conversationId"))):
            best = ref
    return best


async def known_service_urls(db: Database) -> dict[str, str]:
    """Conversation id -> service URL from the stored references (after a restart the
    adapter's memory is empty; a message to update may be days old)."""
    async with db.sessionmaker() as s:
        refs = (await s.execute(select(Person.teams_reference).where(Person.teams_reference.is_not(None)))).scalars().all()
    return {ref["conversationId"]: ref["serviceUrl"] for ref in refs if ref and ref.get("conversationId") and ref.get("serviceUrl")}


async def remember_conversation(db: Database, user_id: str, conversation_id: str, service_url: str) -> None:
    """The 1:1 conversation the bot created: store it so the next message needs no create."""
    async with db.transaction() as s:
        for person in (await s.execute(select(Person).where(Person.teams_user_id == user_id))).scalars():
            ref = dict(person.teams_reference or {})
            if ref.get("conversationId") != conversation_id:
                ref.update(conversationId=conversation_id, serviceUrl=ref.get("serviceUrl") or service_url)
                person.teams_reference = ref


# -- matching ------------------------------------------------------------------------


async def known(db: Database, user_id: str) -> bool:
    async with db.sessionmaker() as s:
        return (
            await s.execute(select(func.count()).select_from(Person).where(Person.teams_user_id == user_id))
        ).scalar_one() > 0


async def link_member(db: Database, member: dict, service_url: str | None, tenant_id: str | None,
                      conversation_id: str | None = None, trajectory_id: int | None = None) -> list[Person]:
    """Link every person row (all trajectories, or one) whose e-mail is this member's."""
    return await link_members(db, [member], service_url, tenant_id, conversation_id, trajectory_id)


LINK_CHUNK = 400  # members per query (their ids and e-mail addresses in one IN list each)


async def link_members(db: Database, members: list[dict], service_url: str | None, tenant_id: str | None,
                       conversation_id: str | None = None, trajectory_id: int | None = None) -> list[Person]:
    """Link the person rows of these roster members, in one transaction: a row already
    linked to a member keeps it; an unlinked row is matched on e-mail (first member wins)."""
    by_id = {m["id"]: m for m in members if m.get("id")}
    by_email: dict[str, dict] = {}
    for member in by_id.values():
        for email in emails_of(member):
            by_email.setdefault(email, member)
    if not by_id:
        return []
    linked = []
    async with db.transaction() as s:
        for person in await _candidates(s, list(by_id), list(by_email), trajectory_id):
            member = by_id.get(person.teams_user_id) if person.teams_user_id else by_email.get((person.email or "").lower())
            if member is None:
                continue  # linked to another Teams account already; the roster of that team wins
            _link(person, member, service_url, tenant_id, conversation_id)
            linked.append(person)
    return linked


async def _candidates(s, ids: list[str], emails: list[str], trajectory_id: int | None) -> list[Person]:
    found: dict[int, Person] = {}
    for start in range(0, max(len(ids), len(emails)), LINK_CHUNK):
        conditions = []
        if ids[start:start + LINK_CHUNK]:
            conditions.append(Person.teams_user_id.in_(ids[start:start + LINK_CHUNK]))
        if emails[start:start + LINK_CHUNK]:
            conditions.append(func.lower(Person.email).in_(emails[start:start + LINK_CHUNK]))
        query = select(Person).where(or_(*conditions))
        if trajectory_id is not None:
            query = query.where(Person.trajectory_id == trajectory_id)
        found.update({p.id: p for p in (await s.execute(query)).scalars()})
    return sorted(found.values(), key=lambda p: p.id)


def _link(person: Person, member: dict, service_url: str | None, tenant_id: str | None, conversation_id: str | None) -> None:
    old = dict(person.teams_reference or {})
    old.pop(PENDING, None)
    # The 1:1 conversation, once known, stays (a message elsewhere does not move it).
    ref = reference(service_url, tenant_id, member, old.get("conversationId") or conversation_id)
    person.teams_user_id = member["id"]
    person.teams_reference = {**old, **ref}
    person.lookup_error = None


# -- people the roster could not answer for (yet) ------------------------------------

PENDING = "roster"  # in an unlinked person's teams_reference: the team to read again


def expected_in_teams(person: Person) -> bool:
    """Someone only Teams can reach (by the file's preference, or no Slack account)."""
    if not person.active or person.teams_user_id is not None:
        return False
    return person.platform == "teams" or (person.platform is None and person.slack_user_id is None)


def pending_roster(person: Person) -> dict | None:
    """The roster to read again for this person (a read failed for now), or None."""
    return (person.teams_reference or {}).get(PENDING) if person.teams_user_id is None else None


def mark_pending(people: list[Person], roster: dict | None, team_id: str) -> list[str]:
    """After a roster read of ``team_id``: with ``roster`` (the read failed for now) the
    people Teams still has to answer for keep it, to be read again later; without (the
    read was complete) whoever was waiting for this team is definitely not in it.
    Returns the names still waiting."""
    waiting = []
    for person in people:
        pending = pending_roster(person)
        if roster is not None and expected_in_teams(person):
            person.teams_reference = {**(person.teams_reference or {}), PENDING: roster}
            waiting.append(person.name)
        elif pending is not None and pending.get("team") == team_id:
            person.teams_reference = {k: v for k, v in (person.teams_reference or {}).items() if k != PENDING} or None
    return waiting


async def first_contact(ctx: Context, chat, activity: Any) -> list[Person]:
    """Someone wrote to the bot (or installed it): link them if their e-mail is known.

    Known users only get their conversation reference refreshed (a personal chat gives
    the 1:1 conversation id for proactive messages)."""
    sender = activity.from_property
    if sender is None or not sender.id:
        return []
    conversation = activity.conversation
    personal = (getattr(conversation, "conversation_type", None) or "personal") == "personal"
    conversation_id = conversation.id if personal else None
    member: dict[str, Any] = {"id": sender.id, "name": sender.name, "aadObjectId": getattr(sender, "aad_object_id", None)}
    if await known(ctx.db, sender.id):
        if not personal:
            return []
        return await link_member(ctx.db, member, activity.service_url, tenant_of(activity), conversation_id)
    try:
        details = await chat.roster.member(conversation.id.split(";")[0], sender.id, activity.service_url)
    except ChatError as exc:
        log.warning("could not read a Teams member: %s", exc.code)
        return []
    if not details:
        return []
    member.update({k: v for k, v in details.items() if v})
    return await link_member(ctx.db, member, activity.service_url, tenant_of(activity), conversation_id)


@dataclass
class LinkResult:
    channel: str
    linked: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # the roster read failed for now: read again later
    newly_linked_channel: bool = False


def channel_of(activity: Any) -> tuple[str | None, str | None]:
    """(team id, channel id) of a channel message; (None, None) elsewhere."""
    data = channel_data(activity)
    team = (data.get("team") or {}).get("id")
    channel = (data.get("channel") or {}).get("id") or activity.conversation.id.split(";")[0]
    if not team or (getattr(activity.conversation, "conversation_type", None) or "") != "channel":
        return None, None
    return team, channel


async def link_channel(ctx: Context, chat, trajectory: Trajectory, activity: Any) -> LinkResult:
    """``koppel``: the channel becomes a status channel; the team roster links people.
    When Teams keeps failing to give the roster, the people it did not answer for are
    looked up again later (``bot.lookups``, the ``lookup_retry`` task)."""
    team_id, channel_id = channel_of(activity)
    chat.remember(channel_id, activity.service_url)
    read = await chat.roster.members(team_id, activity.service_url)
    tenant_id = tenant_of(activity)
    linked = await link_members(ctx.db, read.members, activity.service_url, tenant_id, trajectory_id=trajectory.id)
    result = LinkResult(channel=channel_id, linked=[p.name for p in linked])
    roster = None if read.complete else {"team": team_id, "serviceUrl": activity.service_url, "tenantId": tenant_id}
    entry = f"teams:{channel_id}"
    async with ctx.db.transaction() as s:
        row = await s.get(Trajectory, trajectory.id)
        channels = list(row.status_channels or [])
        if entry not in channels and channel_id not in channels:  # the file may name it without prefix
            row.status_channels = channels + [entry]
            result.newly_linked_channel = True
        people = (
            await s.execute(
                select(Person).where(Person.trajectory_id == trajectory.id, Person.active.is_(True)).order_by(Person.name)
            )
        ).scalars().all()
        result.waiting = mark_pending(list(people), roster, team_id)
        result.unreachable = [p.name for p in people if not p.reachable and p.name not in result.waiting]
        if result.waiting:
            await lookups.schedule_retry(s, ctx, trajectory.id)
    return result


async def unlink_channel(ctx: Context, trajectory: Trajectory, channel_id: str) -> bool:
    """``ontkoppel``: the channel is no longer a status channel.  True when it was one."""
    entries = (f"teams:{channel_id}", channel_id)
    async with ctx.db.transaction() as s:
        row = await s.get(Trajectory, trajectory.id)
        channels = list(row.status_channels or [])
        if not any(e in channels for e in entries):
            return False
        row.status_channels = [c for c in channels if c not in entries]
    return True
