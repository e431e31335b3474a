"""The outbox dispatcher: claims due rows, sends them, records the outcome.

Safe with several processes on one PostgreSQL: rows are claimed with
``FOR UPDATE SKIP LOCKED`` and a lease, so each row is sent by one dispatcher.
A row whose lease ran out (its process died mid-send) is taken up again.

The sending window is checked again at send time (a backlog never goes out after
hours); only in-place updates and ``at_once`` rows are sent whatever the hour.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from bot.chat import Chat, ChatError, FileUpload, MessageRef, OutMessage
from bot.clock import Clock
from bot.db import Database
from bot.models import OutboxMessage, Trajectory
from bot.quiet_hours import SendingWindow
from bot.viewmodels import problem
from scheduling.ratelimit import Pacer

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 8
BATCH = 200
MIN_IDLE = 0.25  # seconds; the shortest sleep of an idle dispatcher
# A round claims no more rows of one operation than its pacer lets out in this time, so
# every claimed row is sent well within its lease (200 updates at 50/min would take 4 min).
CLAIM_AHEAD = LEASE / 4


@dataclass
class Outcome:
    status: str  # sent | failed | pending | skipped | expired | superseded
    error: str | None = None
    ref: MessageRef | None = None
    retry_in: float | None = None


async def file_upload(row: OutboxMessage, db: Database | None = None) -> FileUpload:
    """The file of a ``file`` row: stored text, a chart rendered now from its data, or an
    evaluation export built now from the database."""
    data = row.data
    if row.template == "chart":
        from bot import chart_worker

        content = await chart_worker.render(data, row.language)  # matplotlib stays out of this process
    elif row.template == "evaluation_export":
        from bot.export import outbox_file

        content = await outbox_file(db, data, row.language)
    else:
        content = data["content"].encode("utf-8")
    return FileUpload(
        filename=data["filename"],
        content=content,
        title=data.get("title", data["filename"]),
        comment=data.get("comment"),
        alt_text=data.get("alt_text"),
        key=row.key,
        person_id=row.person_id,
        language=row.language,
    )


@dataclass
class _GroupCommit:
    """Outcomes waiting to be written, and the lock of the one writing now (per event loop)."""

    loop: asyncio.AbstractEventLoop
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    queue: list = field(default_factory=list)


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
        self._group: _GroupCommit | None = None
        # Called with (row, outcome) after a row failed for good (e.g. to tell the trekkers).
        self.on_failed: Callable[[OutboxMessage, Outcome], Awaitable[None]] | None = None
        self.window: SendingWindow | None = None  # set by bootstrap; None: never held

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
            # An update or a threaded file waits until the message it belongs to is out.
            parent = aliased(OutboxMessage)
            waiting = exists().where(parent.id == OutboxMessage.update_of_id, parent.status.in_(("pending", "sending")))
            rows = (
                await s.execute(
                    select(OutboxMessage)
                    .where(due, ~waiting)
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True, of=OutboxMessage)
                )
            ).scalars().all()
            claimed: list[OutboxMessage] = []
            per_operation: dict[str, int] = {}
            for row in rows:
                name = f"{row.platform}:{row.op}"
                if per_operation.get(name, 0) >= self._claim_budget(name):
                    continue  # stays pending for a later round
                per_operation[name] = per_operation.get(name, 0) + 1
                # A row still "sending" after its lease: its process died mid-send; the
                # message may have gone out.  _send checks before sending it again.
                row.recovered = row.status == "sending"
                row.status = "sending"
                row.lease_until = now + LEASE
                row.attempts += 1
                claimed.append(row)
            return claimed

    def _claim_budget(self, name: str) -> int:
        """How many rows of one operation a round may claim (see CLAIM_AHEAD)."""
        return max(self.concurrency, int(self.pacer.per_second(name) * CLAIM_AHEAD.total_seconds()))

    async def next_due(self) -> datetime | None:
        """When the next pending row is due (rows that wait for another row not counted:
        that row's time decides)."""
        parent = aliased(OutboxMessage)
        waiting = exists().where(parent.id == OutboxMessage.update_of_id, parent.status.in_(("pending", "sending")))
        async with self.db.sessionmaker() as s:
            return (
                await s.execute(
                    select(func.min(OutboxMessage.not_before)).where(OutboxMessage.status == "pending", ~waiting)
                )
            ).scalar_one_or_none()

    # -- sending --------------------------------------------------------------

    async def run_once(self, limit: int = BATCH) -> int:
        """Send what is due now (one batch).  Returns how many rows were handled."""
        rows = await self._claim(limit)
        if not rows:
            return 0
        # ``concurrency`` sends at a time per operation: updates waiting for their (slower)
        # pacer do not hold up direct messages in the same round.  Recording the outcome
        # happens after the slot is given back, so database latency does not slow sending.
        gates: dict[str, asyncio.Semaphore] = {}

        async def handle(row: OutboxMessage) -> None:
            name = f"{row.platform}:{row.op}"
            async with gates.setdefault(name, asyncio.Semaphore(self.concurrency)):
                outcome = await self._send(row)
            if outcome.status == "sent":
                self.pacer.succeeded(name)
            await self._record(row, outcome)
            if outcome.status == "failed" and self.on_failed is not None:
                try:
                    await self.on_failed(row, outcome)
                except Exception:
                    log.exception("outbox %s: reporting the failure failed", row.key)

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
        closed = await self._window_closed(row, now)
        if closed is not None:
            return closed
        unfit = problem(row.template, row.data_version, row.data)
        if unfit is not None:  # queued with another shape than the builders read now: do not guess
            log.warning("outbox row %d (template %s): view-model does not fit, not sent (%s)", row.id, row.template, unfit)
            return Outcome("failed", error=unfit)
        chat = self.chats.get(row.platform)
        if chat is None:
            return Outcome("failed", error=f"platform_not_configured:{row.platform}")
        try:
            if row.op == "update":
                return await self._send_update(row, chat)
            if not row.target:
                return Outcome("failed", error="no_recipient")
            message = OutMessage(row.template, row.data, row.language, key=row.key, person_id=row.person_id)
            if getattr(row, "recovered", False) and row.op in ("direct", "channel"):
                found = await self._already_sent(chat, row)
                if found is not None:
                    return Outcome("sent", ref=found)
            await self.pacer.acquire(f"{row.platform}:{row.op}", row.target)
            if row.op == "direct":
                ref = await chat.send_direct(row.target, message)
            elif row.op == "channel":
                ref = await chat.post_channel(row.target, message)
            elif row.op == "file":
                thread = await self._thread_of(row)
                if isinstance(thread, Outcome):
                    return thread
                ref = await chat.send_file(row.target, await file_upload(row, self.db), thread)
            else:
                return Outcome("failed", error=f"unknown_op:{row.op}")
            return Outcome("sent", ref=ref)
        except ChatError as exc:
            return self._classify(row, exc)
        except Exception as exc:  # a network error or a bug: retry with backoff, keep the row
            log.exception("outbox %s: unexpected error while sending", row.key)
            return self._classify(row, ChatError(type(exc).__name__, permanent=False))

    async def _window_closed(self, row: OutboxMessage, now: datetime) -> Outcome | None:
        """Outside the sending window of the row's trajectory: wait for its next opening."""
        if self.window is None or self.window.off or row.op == "update" or row.at_once or row.trajectory_id is None:
            return None
        async with self.db.sessionmaker() as s:
            zone = (await s.execute(select(Trajectory.timezone).where(Trajectory.id == row.trajectory_id))).scalar_one_or_none()
        opens = self.window.next_open(now, zone or "Europe/Amsterdam")
        if opens <= now:
            return None
        return Outcome("pending", error="quiet_hours", retry_in=(opens - now).total_seconds())

    async def _thread_of(self, row: OutboxMessage) -> MessageRef | Outcome | None:
        """A file with ``update_of`` goes in the thread of that message, once it is out."""
        if row.update_of_id is None or not row.data.get("thread", True):
            return None
        async with self.db.sessionmaker() as s:
            original = await s.get(OutboxMessage, row.update_of_id)
        if original is None or original.status in ("failed", "expired", "skipped"):
            return None  # post it on its own rather than lose it
        if original.status != "sent" or not original.ref_ts:
            return Outcome("pending", retry_in=2.0, error="waiting_for_original")
        return MessageRef(original.ref_channel, original.ref_ts)

    async def _already_sent(self, chat: Chat, row: OutboxMessage) -> MessageRef | None:
        """The message a crashed process posted for this row, if the platform has it."""
        find_sent = getattr(chat, "find_sent", None)
        if find_sent is None:
            return None
        try:
            return await find_sent(row.target, row.key)
        except ChatError as exc:  # cannot tell: sending again beats losing the message
            log.warning("outbox %s: could not check for an earlier send (%s)", row.key, exc.code)
            return None

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
        """Store the outcome of a row; returns once it is committed.

        Group commit: outcomes that come in while another transaction is writing go
        together in the next one, so the dispatcher's concurrent sends do not queue one by
        one for the database's write lock (SQLite has one for the whole file)."""
        group = self._group_commit()
        done = asyncio.get_running_loop().create_future()
        group.queue.append((row, self._outcome_values(row, outcome), done))
        async with group.lock:
            batch, group.queue = group.queue, []
            if batch:
                try:
                    await self._write_outcomes([(r, values) for r, values, _ in batch])
                except Exception as exc:
                    for *_, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                except BaseException:  # cancelled while writing: the others must not wait forever
                    for *_, future in batch:
                        if not future.done():
                            future.set_exception(RuntimeError("recording the outcome was cancelled"))
                    raise
                else:
                    for *_, future in batch:
                        if not future.done():
                            future.set_result(None)
        await done

    def _group_commit(self) -> "_GroupCommit":
        loop = asyncio.get_running_loop()
        if self._group is None or self._group.loop is not loop:
            self._group = _GroupCommit(loop)
        return self._group

    async def _write_outcomes(self, batch: list[tuple[OutboxMessage, dict]]) -> None:
        async with self.db.transaction() as s:
            for row, values in batch:
                # Only the holder of the claim may record (a second process may have re-claimed after a lease ran out).
                await s.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.status == "sending", OutboxMessage.lease_until == row.lease_until)
                    .values(**values)
                )

    def _outcome_values(self, row: OutboxMessage, outcome: Outcome) -> dict:
        now = self.clock.now()
        values: dict = {"status": outcome.status, "last_error": outcome.error, "lease_until": None}
        if outcome.status == "sent":
            values["sent_at"] = now
            if outcome.ref is not None:
                values["ref_channel"] = outcome.ref.channel
                values["ref_ts"] = outcome.ref.ts
        if outcome.status == "pending":
            values["not_before"] = now + timedelta(seconds=outcome.retry_in or 1.0)
            if outcome.error in ("waiting_for_original", "quiet_hours") or outcome.retry_in is not None and outcome.error == "ratelimited":
                values["attempts"] = row.attempts - 1  # waiting is not a failed attempt
        return values

    # -- the loop -------------------------------------------------------------

    async def run_forever(self, idle_seconds: float = 5.0) -> None:
        """Send as rows become due; ``wake()`` makes new rows go out at once."""
        while not self._stopping:
            self._wake.clear()  # before the round: a wake() during the round is not lost
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("dispatcher round failed")
                handled = 0
            if handled:
                continue
            try:
                timeout = await self._until_next_due(idle_seconds)
            except Exception:
                log.exception("dispatcher could not read the next due time")
                timeout = idle_seconds
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            except asyncio.TimeoutError:
                pass

    async def _until_next_due(self, idle_seconds: float) -> float:
        """Seconds to sleep: until the next pending row is due (a retry after Retry-After
        or a backoff), at most ``idle_seconds``, at least ``MIN_IDLE``."""
        due = await self.next_due()
        if due is None:
            return idle_seconds
        if due.tzinfo is None:
            due = due.replace(tzinfo=self.clock.now().tzinfo)
        return min(idle_seconds, max(MIN_IDLE, (due - self.clock.now()).total_seconds()))

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
