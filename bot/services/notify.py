"""Telling the trekkers of a trajectory something: one direct message each."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox
from bot.context import Context
from bot.models import Trajectory
from bot.services.directory import trekkers


async def tell_trekkers(
    s: AsyncSession,
    ctx: Context,
    trajectory: Trajectory,
    *,
    key: str,
    template: str,
    data: dict,
    except_person_id: int | None = None,
) -> None:
    """Every reachable trekker gets ``template`` (key ``<key>:<trekker id>``), within the
    sending window: a "lukt niet" at 21:00 reaches the trekker the next working morning."""
    not_before = ctx.send_time(trajectory.timezone)
    for trekker in await trekkers(s, trajectory.id):
        if trekker.reachable and trekker.id != except_person_id:
            await outbox.enqueue(
                s, key=f"{key}:{trekker.id}", op="direct", template=template, data=data, person=trekker, now=ctx.now(), not_before=not_before
            )
