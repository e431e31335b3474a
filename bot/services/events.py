"""Redelivered events (Slack retries, Teams redelivering a message): each is handled once."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from bot.context import Context
from bot.models import ProcessedEvent


async def first_delivery(ctx: Context, event_id: str) -> bool:
    """Record ``event_id``; False when it was recorded before (a redelivery to ignore)."""
    try:
        async with ctx.db.transaction() as s:
            s.add(ProcessedEvent(event_id=event_id, received_at=ctx.now()))
    except IntegrityError:
        return False
    return True
