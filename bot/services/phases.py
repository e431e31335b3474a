"""Moving a trajectory to another phase, with a record of whether the result was reached."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.interactions.errors import Problem, Problems, Refused
from bot.limits import NOTE_LIMIT
from bot.models import Person, Phase, PhaseTransition, Trajectory
from bot.services import channels

REACHED = ("yes", "partly", "no")
FROM_FILE = "unset"  # ``import --phase-from-file``: a move nobody judged the result of
NUMBERS = (1, 2, 3)


def check_target(trajectory: Trajectory, to: int | None) -> int:
    """The phase to move to: one of 1-3 and not the current one, else Refused."""
    if to not in NUMBERS:
        raise Refused("phase.bad_number", trajectory=trajectory.title, current=trajectory.current_phase)
    if to == trajectory.current_phase:
        raise Refused("phase.same_phase", trajectory=trajectory.title, current=trajectory.current_phase)
    return to


def check_input(reached: str | None, note: str) -> None:
    """The confirmation form's fields: "reached?" answered, the note not too long."""
    problems = {}
    if reached not in REACHED:
        problems["reached"] = Problem("phase.errors.reached")
    if len(note) > NOTE_LIMIT:
        problems["note"] = Problem("phase.errors.note_long", {"limit": NOTE_LIMIT})
    if problems:
        raise Problems(problems)


async def phase(s: AsyncSession, trajectory_id: int, number: int) -> Phase | None:
    return (
        await s.execute(select(Phase).where(Phase.trajectory_id == trajectory_id, Phase.number == number))
    ).scalar_one_or_none()


def phase_vm(p: Phase | None, number: int) -> dict:
    return {
        "number": number,
        "name": p.name if p else "",
        "starting_point": p.starting_point if p else "",
        "result": p.result if p else "",
    }


async def confirmation_vm(s: AsyncSession, trajectory: Trajectory, to: int) -> dict:
    """What the confirmation modal shows: the current phase's result and the new phase."""
    return {
        "trajectory_id": trajectory.id,
        "trajectory": trajectory.title,
        "current": phase_vm(await phase(s, trajectory.id, trajectory.current_phase), trajectory.current_phase),
        "to": phase_vm(await phase(s, trajectory.id, to), to),
    }


async def move(
    s: AsyncSession, ctx: Context, trajectory: Trajectory, to: int, reached: str, note: str | None, actor: Person | None
) -> PhaseTransition:
    """Record the transition and announce it in the status channel(s).  Raises Refused
    (not a phase to move to) or Problems (the form's fields).  Without an actor (the
    file, ``import --phase-from-file``) ``reached`` is ``FROM_FILE``."""
    check_target(trajectory, to)
    note = (note or "").strip()
    if actor is not None or reached != FROM_FILE:
        check_input(reached, note)
    before = trajectory.current_phase
    vm = await confirmation_vm(s, trajectory, to)
    transition = PhaseTransition(
        trajectory_id=trajectory.id, from_phase=before, to_phase=to, reached=reached, note=note or None, actor_id=actor.id if actor else None, at=ctx.now()
    )
    s.add(transition)
    trajectory.current_phase = to
    await s.flush()
    data = {**vm, "reached": reached, "note": note or None, "actor": actor.name if actor else ""}
    await channels.post(s, ctx, trajectory, f"phase:{trajectory.id}:{transition.id}", "phase_announcement", data)
    return transition


async def reconcile(s: AsyncSession, ctx: Context, trajectory: Trajectory, in_file: int, follow: bool) -> tuple[int, int] | None:
    """A re-import's ``current_phase`` against the recorded one: (recorded, in the file)
    when they differ, else None.  The recorded phase stays, unless ``follow``
    (``import --phase-from-file``): then the move is recorded like ``fase`` does, with
    its announcement (result "not assessed")."""
    recorded = trajectory.current_phase
    if in_file == recorded:
        return None
    if follow:
        await move(s, ctx, trajectory, in_file, FROM_FILE, None, None)
    return recorded, in_file
