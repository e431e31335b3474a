"""Who is visiting a personal page: the grant in a ``/p/<token>`` link, honoured only
while its person exists and is active.

Refusals (:class:`LinkRefused`) carry a reason the web answers with a friendly page:
``forged`` (bad signature or shape), ``expired``, ``revoked`` (the person was removed
from the file or erased), ``unconfigured`` (no ``SECRET_KEY``: no links exist).
The acting user of a page is ``identity.email(person.email)``: every use case then
checks, as for chat, that the record is this person's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import identity
from bot.context import Context
from bot.identity import User
from bot.models import Person, Trajectory
from bot.web.links import Grant, LinkError, expiry


class LinkRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Visitor:
    grant: Grant
    person_id: int
    name: str
    user: User
    language: str


async def visit(ctx: Context, token: str) -> Visitor:
    """The visitor behind ``token``; raises :class:`LinkRefused`."""
    if ctx.links is None:
        raise LinkRefused("unconfigured")
    if len(token) > 1000:
        raise LinkRefused("forged")
    try:
        grant = ctx.links.read(token, ctx.now())
    except LinkError as error:
        raise LinkRefused(error.reason) from None
    async with ctx.db.sessionmaker() as s:
        person = await s.get(Person, grant.person_id)
        if person is None or not person.active:
            raise LinkRefused("revoked")
        language = person.language or (await s.get(Trajectory, person.trajectory_id)).language
    return Visitor(grant, person.id, person.name, identity.email(person.email), language or "nl")


def link(ctx: Context, visitor: Visitor, purpose: str, record_id: int | None, anchor: datetime | None = None) -> str:
    """The path of another page of the same person (the page "Wat wacht er op mij" links
    each item to its own page), valid until 60 days after ``anchor``."""
    grant = Grant(visitor.person_id, purpose, record_id, expiry(anchor, ctx.now()))
    return f"/p/{ctx.links.token(grant)}"
