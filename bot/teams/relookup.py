"""Reading a team roster again for the people ``koppel`` could not resolve.

When Teams kept failing during ``koppel`` (429s, 5xx), the people it did not answer
for carry the roster to read (``people.PENDING`` in ``teams_reference``).  The
``lookup_retry`` task (``bot.lookups``) calls :func:`retry_teams`: each such roster is
read again (paced and retried, ``bot.teams.roster``); whoever is in it is linked, and
whoever is not in a roster read to its end is "not in the team"."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from bot.chat import ChatError
from bot.context import Context
from bot.lookups import Outcome
from bot.models import Person
from bot.teams import people
from bot.teams.roster import RosterRead


async def _waiting(ctx: Context, trajectory_id: int) -> dict[tuple, dict[int, str]]:
    """(team, service URL, tenant) -> {person id: name} of the people waiting for it."""
    async with ctx.db.sessionmaker() as s:
        rows = (
            await s.execute(
                select(Person).where(Person.trajectory_id == trajectory_id, Person.active.is_(True), Person.teams_user_id.is_(None))
            )
        ).scalars().all()
    waiting: dict[tuple, dict[int, str]] = defaultdict(dict)
    for person in rows:
        roster = people.pending_roster(person)
        if roster:
            waiting[(roster.get("team"), roster.get("serviceUrl"), roster.get("tenantId"))][person.id] = person.name
    return waiting


async def retry_teams(ctx: Context, chat, trajectory_id: int) -> Outcome:
    """Read again the rosters people of the trajectory wait for (``ctx.relookups["teams"]``)."""
    outcome = Outcome()
    for (team_id, service_url, tenant_id), waiting in (await _waiting(ctx, trajectory_id)).items():
        try:
            read = await chat.roster.members(team_id, service_url)
        except ChatError:  # a definite refusal (the bot left the team): nobody is in it for us
            read = RosterRead()
        linked = await people.link_members(ctx.db, read.members, service_url, tenant_id, trajectory_id=trajectory_id)
        found = {p.id for p in linked if p.id in waiting}
        outcome.found += [waiting[i] for i in found]
        rest = [i for i in waiting if i not in found]
        if read.complete:
            await _not_in_team(ctx, rest, team_id)
            outcome.not_found += [waiting[i] for i in rest]
        else:
            outcome.still += [waiting[i] for i in rest]
    return outcome


async def _not_in_team(ctx: Context, person_ids: list[int], team_id: str) -> None:
    if not person_ids:
        return
    async with ctx.db.transaction() as s:
        rows = (await s.execute(select(Person).where(Person.id.in_(person_ids)))).scalars().all()
        people.mark_pending(list(rows), None, team_id)
