"""Sign-off interactions (phase 3): the trekker starts a round with a form; each asked
organisation agrees at once, or declines / asks a question with a short form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar, Literal

from sqlalchemy import select

from bot.context import Context
from bot.identity import User
from bot.interactions import actors
from bot.interactions.codec import parse_id
from bot.models import Organisation, Person
from bot.services import directory, signoff

NoteKind = Literal["decline", "question"]
CARDS = ("signoff_request", "signoff_reminder")  # the Teams cards a decision button sits on


@dataclass(frozen=True)
class StartForm:
    """What the "ondertekenen" form carries back."""

    VERSION: ClassVar[int] = 1
    trajectory_id: int


async def start_form(ctx: Context, user: User, trajectory_id) -> dict:
    """The trekker's start form: every organisation of the trajectory (all chosen)."""
    async with ctx.db.sessionmaker() as s:
        trajectory = await actors.trajectory(s, parse_id(trajectory_id))
        await actors.trekker(s, trajectory, user)
        organisations = await directory.organisations(s, trajectory.id)
    return {
        "form": StartForm(trajectory.id),
        "trajectory_id": trajectory.id,
        "organisations": [{"id": o.id, "name": o.name} for o in organisations],
    }


@dataclass(frozen=True)
class StartInput:
    title: str = ""
    link: str = ""
    organisations: list = field(default_factory=list)  # ids as given (strings or numbers)
    deadline: str | None = None  # YYYY-MM-DD


@dataclass(frozen=True)
class Started:
    title: str
    organisations: int
    sent: int
    unreachable: list[str]
    without_signer: list[str]


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


async def start(ctx: Context, user: User, form: StartForm, given: StartInput) -> Started:
    """Ask every chosen organisation to sign; raises Refused (not a trekker) or Problems."""
    org_ids = [parse_id(raw) for raw in given.organisations]
    deadline = _day(given.deadline)
    async with ctx.db.transaction() as s:
        trajectory = await actors.trajectory(s, form.trajectory_id)
        actor = await actors.trekker(s, trajectory, user)
        known = set((await s.execute(select(Organisation.id).where(Organisation.trajectory_id == trajectory.id))).scalars())
        signoff.check_start(given.title, given.link, org_ids, deadline, signoff.today_in(ctx, trajectory), known)
        started = await signoff.start(s, ctx, trajectory, actor, given.title, given.link, org_ids, deadline)  # type: ignore[arg-type]
    return Started(given.title.strip(), len(org_ids), started.sent, started.unreachable, started.without_signer)


# -- deciding ---------------------------------------------------------------------------


async def agree(ctx: Context, user: User, request_id) -> None:
    """"Akkoord namens ...": recorded at once; every asked person's message is revised."""
    async with ctx.db.transaction() as s:
        await signoff.decide(s, ctx, parse_id(request_id), user, "agreed")


@dataclass(frozen=True)
class NoteForm:
    """What the reason / question form carries back (``card``: the Teams card it
    replaced, to show again afterwards)."""

    VERSION: ClassVar[int] = 1
    request_id: int
    kind: NoteKind
    card: str | None = None


@dataclass(frozen=True)
class NoteView:
    form: NoteForm
    title: str  # the document's title, shown above the note


async def note_form(ctx: Context, user: User, request_id, kind: str, card: str | None = None) -> NoteView:
    """"Niet akkoord" or "Vraag stellen": the form, for a signer before the deadline."""
    async with ctx.db.sessionmaker() as s:
        who = await signoff.signer(s, ctx, parse_id(request_id), user)
    form = NoteForm(who.request.id, "question" if kind == "question" else "decline", card if card in CARDS else None)
    return NoteView(form, who.request.round.title)


async def submit_note(ctx: Context, user: User, form: NoteForm, note: str) -> None:
    """Decline with the reason, or send the question to the trekker(s)."""
    async with ctx.db.transaction() as s:
        if form.kind == "question":
            await signoff.ask(s, ctx, form.request_id, user, note)
        else:
            await signoff.decide(s, ctx, form.request_id, user, "declined", note)


async def request_view(ctx: Context, user: User, request_id, *, in_time: bool = False) -> dict:
    """The request as it is now, for the signer who pressed one of its buttons."""
    async with ctx.db.sessionmaker() as s:
        who = await signoff.signer(s, ctx, parse_id(request_id), user, in_time=in_time)
        request = who.request
        decided = await s.get(Person, request.decided_by_id) if request.decided_by_id else None
        return signoff.request_vm(request.round, request, request.organisation, who.trajectory, who.person.name, decided.name if decided else None)
