"""Phase interactions: ``fase <n>`` opens the confirmation form; submitting it moves the
trajectory and announces the move in the status channel(s)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.context import Context
from bot.identity import User
from bot.interactions import actors
from bot.interactions.codec import parse_id
from bot.services import channels, phases, summary


@dataclass(frozen=True)
class PhaseForm:
    """What the confirmation form carries back: which trajectory, to which phase."""

    VERSION: ClassVar[int] = 1
    trajectory_id: int
    to: int


async def open_move(ctx: Context, user: User, trajectory_id, word) -> dict:
    """The confirmation form's view-model (``form``: the context it carries back);
    trekkers only, and only for another phase of 1-3."""
    async with ctx.db.sessionmaker() as s:
        trajectory = await actors.trajectory(s, parse_id(trajectory_id))
        await actors.trekker(s, trajectory, user)
        to = phases.check_target(trajectory, parse_id(word))
        vm = await phases.confirmation_vm(s, trajectory, to)
    return {**vm, "form": PhaseForm(trajectory.id, to)}


@dataclass(frozen=True)
class MoveInput:
    reached: str | None = None  # yes | partly | no
    note: str = ""


@dataclass(frozen=True)
class Moved:
    trajectory: str
    number: int
    channels: str  # where the announcement goes ("" when nowhere)


async def move(ctx: Context, user: User, form: PhaseForm, given: MoveInput) -> Moved:
    """Record the move; raises Refused (not a trekker, not another phase) or Problems."""
    async with ctx.db.transaction() as s:
        trajectory = await actors.trajectory(s, form.trajectory_id)
        actor = await actors.trekker(s, trajectory, user)
        await phases.move(s, ctx, trajectory, form.to, given.reached, given.note, actor)
        await summary.schedule(s, ctx, trajectory)
        return Moved(trajectory.title, form.to, channels.channel_names(trajectory))
