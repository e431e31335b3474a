"""The outbox dispatcher: claims due rows, sends them, records the outcome.

Safe with several processes on one PostgreSQL: rows are claimed with
``FOR UPDATE SKIP LOCKED`` and a lease, so each row is sent by one dispatcher.
A row whose lease ran out (its process died mid-send) is taken up again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from bot.chat import Chat, ChatError, FileUpload, MessageRef, OutMessage
from bot.clock import Clock
from bot.db import Database
from bot.models import OutboxMessage
from scheduling.ratelimit import Pacer

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 8
BATCH = 200


@dataclass
class Outcome:
    status: str  # sent | failed | pending | skipped | expired | superseded
    error: str | None = None
    ref: MessageRef | None = None
    retry_in: float | None = None


def backoff(attempts: int) -> float:
    """Seconds to wait before retry number ``attempts`` (exponential with jitter)."""
    return min(300.0, 2.0 ** attempts) * (0.75 + random.random() / 2)


class Dispatcher:
    def __init__(self, db: Database, chats: dict[str, Chat], clock: Clock, pacer: Pacer, concurrency: int = 8):
        self.db = db
        self.chats = chats
        self.clock = clock
        self.pacer = pacer
        self.concurrency = concurrency
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    # -- claiming -------------------------------------------------------------

    async def _claim(self, limit: int) -> list[OutboxMessage]:
        now = self.clock.now()
        async with self.db.transaction() as s:
            due = or_(
                and_(OutboxMessage.status == "pending", OutboxMessage.not_before <= now),
                and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
            )
            rows = (
                await s.execute(
                    select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
                )
            ).scalars().all()
            for row in rows:
                row.status = "sending"
                row.lease_until = now + LEASE
                row.attempts += 1
            return list(rows)

    async def next_due(self) -> datetime | None:
        async with self.db.sessionmaker() as s:
            return (
                await s.execute(select(func.min(OutboxMessage.not_before)).where(OutboxMessage.status == "pending"))
            ).scalar_one_or_none()

    # -- sending --------------------------------------------------------------

    async def run_once(self, limit: int = BATCH) -> int:
        """Send what is due now (one batch).  Returns how many rows were handled."""
        rows = await self._claim(limit)
        if not rows:
            return 0
        gate = asyncio.Semaphore(self.concurrency)

        async def handle(row: OutboxMessage) -> None:
            async with gate:
                outcome = await self._send(row)
                await self._record(row, outcome)

        await asyncio.gather(*(handle(row) for row in rows))
        return len(rows)

    async def drain(self, max_rounds: int = 1000) -> int:
        """Send everything that is due now (tests and CLI use this)."""
        total = 0
        for _ in range(max_rounds):
            handled = await self.run_once()
            total += handled
            if handled == 0:
                break
        return total

    async def _send(self, row: OutboxMessage) -> Outcome:
        now = self.clock.now()
        if row.expires_at is not None and row.expires_at <= now:
            return Outcome("expired")
        chat = self.chats.get(row.platform)
        if chat is None:
            return Outcome("failed", error=f"platform_not_configured:{row.platform}")
        try:
            if row.op == "update":
                return await self._send_update(row, chat)
            if not row.target:
                return Outcome("failed", error="no_recipient")
            message = OutMessage(row.template, row.data, row.language)
            await self.pacer.acquire(f"{row.platform}:{row.op}", row.target)
            if row.op == "direct":
                ref = await chat.send_direct(row.target, message)
            elif row.op == "channel":
                ref = await chat.post_channel(row.target, message)
            elif row.op == "file":
                upload = FileUpload(
                    filename=row.data["filename"],
                    content=row.data["content"].encode("utf-8"),
                    title=row.data.get("title", row.data["filename"]),
                    comment=row.data.get("comment"),
                    alt_text=row.data.get("alt_text"),
                )
                ref = await chat.send_file(row.target, upload)
            else:
                return Outcome("failed", error=f"unknown_op:{row.op}")
            return Outcome("sent", ref=ref)
        except ChatError as exc:
            return self._classify(row, exc)
        except Exception as exc:  # a network error or a bug: retry with backoff, keep the row
            log.exception("outbox %s: unexpected error while sending", row.key)
            return self._classify(row, ChatError(type(exc).__name__, permanent=False))

    async def _send_update(self, row: OutboxMessage, chat: Chat) -> Outcome:
        async with self.db.sessionmaker() as s:
            original = await s.get(OutboxMessage, row.update_of_id)
            newer = (
                await s.execute(
                    select(func.count()).select_from(OutboxMessage).where(
                        OutboxMessage.update_of_id == row.update_of_id,
                        OutboxMessage.id > row.id,
                        OutboxMessage.status.in_(("pending", "sending", "sent")),
                    )
                )
            ).scalar_one()
        if newer:
            return Outcome("superseded")  # a later version of the same message will go out
        if original is None or original.status in ("failed", "expired", "skipped"):
            return Outcome("skipped", error="original_not_delivered")
        if original.status != "sent" or not original.ref_ts:
            return Outcome("pending", retry_in=2.0, error="waiting_for_original")
        await self.pacer.acquire(f"{row.platform}:update", original.ref_channel)
        ref = await chat.update(MessageRef(original.ref_channel, original.ref_ts), OutMessage(row.template, row.data, row.language))
        return Outcome("sent", ref=ref)

    def _classify(self, row: OutboxMessage, exc: ChatError) -> Outcome:
        if exc.retry_after is not None:
            self.pacer.rate_limited(f"{row.platform}:{row.op}", row.target, exc.retry_after)
            return Outcome("pending", error=exc.code, retry_in=exc.retry_after)
        if exc.permanent:
            log.warning("outbox %s: permanent failure %s", row.key, exc.code)
            return Outcome("failed", error=exc.code)
        if row.attempts >= MAX_ATTEMPTS:
            log.error("outbox %s: giving up after %d attempts (%s)", row.key, row.attempts, exc.code)
            return Outcome("failed", error=exc.code)
        return Outcome("pending", error=exc.code, retry_in=backoff(row.attempts))

    async def _record(self, row: OutboxMessage, outcome: Outcome) -> None:
        now = self.clock.now()
        values: dict = {"status": outcome.status, "last_error": outcome.error, "lease_until": None}
        if outcome.status == "sent":
            values["sent_at"] = now
            if outcome.ref is not None:
                values["ref_channel"] = outcome.ref.channel
                values["ref_ts"] = outcome.ref.ts
        if outcome.status == "pending":
            values["not_before"] = now + timedelta(seconds=outcome.retry_in or 1.0)
            if outcome.error == "waiting_for_original" or outcome.retry_in is not None and outcome.error == "ratelimited":
                values["attempts"] = row.attempts - 1  # waiting is not a failed attempt
        async with self.db.transaction() as s:
            # Only the holder of the claim may record (a second process may have re-claimed after a lease ran out).
            await s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.status == "sending", OutboxMessage.lease_until == row.lease_until)
                .values(**values)
            )

    # -- the loop -------------------------------------------------------------

    async def run_forever(self, idle_seconds: float = 5.0) -> None:
        """Send as rows become due; ``wake()`` makes new rows go out at once."""
        while not self._stopping:
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("dispatcher round failed")
                handled = 0
            if handled:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=idle_seconds)
            except asyncio.TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
