"""The engagement watch's invitation rule counted in SQL (``services.engagement``)
against the rule counted in Python over the same rows, on both databases, for random
draws: an organisation has an open invitation for a session when someone active of it
was invited 30 days ago or longer and nobody active of it answered (an answer to a later
invitation counts too); cancelled sessions and inactive people do not count; the
summary lists the oldest five per organisation and counts the rest."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from bot.models import Invitation, Organisation, Person, Session, Trajectory
from bot.services import engagement

SESSIONS = 12


async def draw(world, seed: int):
    """Extra people and sessions, then random invitations; returns (now, trekker's organisation)."""
    rng = random.Random(seed)
    now = world.ctx.now() + timedelta(days=90)  # every organisation joined long before
    async with world.ctx.db.transaction() as s:
        trajectory = (await s.execute(select(Trajectory))).scalar_one()
        await s.execute(delete(Invitation))
        organisations = (await s.execute(select(Organisation).where(Organisation.trajectory_id == trajectory.id))).scalars().all()
        for n, org in enumerate(organisations * 2):
            s.add(Person(trajectory_id=trajectory.id, organisation_id=org.id, name=f"Extra {n}", email=f"extra{n}@voorbeeld.example",
                         roles=["deelnemer"], active=rng.random() > 0.2))
        for n in range(SESSIONS):
            starts = now - timedelta(days=rng.randint(1, 60))
            s.add(Session(trajectory_id=trajectory.id, key=f"r{n}", title=f"Ronde {n}", phase=1, starts_at=starts,
                          ends_at=starts + timedelta(hours=2), invite={}, sequence=0, cancelled=n == 0, ics_token=uuid.uuid4().hex))
        await s.flush()
        people = (await s.execute(select(Person).where(Person.trajectory_id == trajectory.id))).scalars().all()
        sessions = (await s.execute(select(Session).where(Session.trajectory_id == trajectory.id))).scalars().all()
        for session in sessions:
            for person in people:
                if rng.random() < 0.5:
                    continue
                invited = None if rng.random() < 0.05 else now - timedelta(days=rng.choice([10, 29, 30, 31, 45]), hours=rng.choice([0, 1]))
                answered = invited + timedelta(days=1) if invited and rng.random() < 0.3 else None
                s.add(Invitation(session_id=session.id, person_id=person.id, status="yes" if answered else "pending",
                                 invited_at=invited, answered_at=answered, revision=0))
        own = next(p.organisation_id for p in people if "trekker" in p.roles)
    return now, own


async def expected(world, now, own) -> tuple[dict[int, int], dict[int, list[str]]]:
    cutoff = now - timedelta(days=engagement.QUIET_DAYS)
    async with world.ctx.db.sessionmaker() as s:
        rows = (await s.execute(
            select(Person.organisation_id, Session.id, Session.title, Invitation.invited_at, Invitation.answered_at)
            .join(Invitation, Invitation.person_id == Person.id).join(Session, Session.id == Invitation.session_id)
            .where(Person.active.is_(True), Session.cancelled.is_(False), Invitation.invited_at.is_not(None))
        )).all()
    pairs: dict[tuple[int, int], list] = {}
    for org, sid, title, invited, answered in rows:
        pairs.setdefault((org, sid), []).append((title, invited, answered))
    open_ones: dict[int, list[tuple]] = {}
    for (org, sid), found in pairs.items():
        asked = min(invited for _, invited, _ in found)
        if org != own and asked <= cutoff and all(answered is None for _, _, answered in found):
            open_ones.setdefault(org, []).append((asked, sid, found[0][0]))
    counts = {org: len(found) for org, found in open_ones.items()}
    oldest = {org: [title for _, _, title in sorted(found)[:engagement.SHOWN_ITEMS]] for org, found in open_ones.items()}
    return counts, oldest


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_open_invitations_counted_and_listed_as_the_rule_says(world, seed):
    now, own = await draw(world, seed)
    counts, oldest = await expected(world, now, own)
    async with world.ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalar_one()
        found = await engagement.watch(s, trajectory.id, now)
    assert found.new == []
    assert found.open_counts == counts
    assert {org: [r.title for r in requests] for org, requests in found.waiting.items()} == oldest
    assert any(n > engagement.SHOWN_ITEMS for n in counts.values())  # the draw reaches the cut
    data = found.as_data()
    assert [o["more"] for o in data["waiting"]] == [max(0, counts[org] - engagement.SHOWN_ITEMS) for org in sorted(counts, key=lambda o: found.names[o])]
