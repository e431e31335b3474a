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
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from bot.chat import Chat, ChatError, FileUpload, MessageRef, OutMessage
from bot.clock import Clock
from bot.db import Database
from bot.models import OutboxMessage
from bot.viewmodels import problem
from scheduling import in_doubt
from scheduling.ratelimit import Pacer
from scheduling.send_window import SendWindow

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 8
BATCH = 200
# A round claims no more rows of one operation than its pacer lets out in this time: every
# claimed row is sent well within its lease, and a crash leaves few claimed rows in doubt
# (each costs a Tier 3 check before it is sent again).
CLAIM_AHEAD = timedelta(seconds=0.5)
# The check of a row in doubt (conversations.history) is Tier 3: a round takes no more of
# them than that pacer lets out in CLAIM_AHEAD (at least one).
CHECK_BUCKET = "conversations.history"


@dataclass
class Outcome:
    status: str  # sent | failed | pending | skipped | expired | superseded
    error: str | None = None
    ref: MessageRef | None = None
    retry_in: float | None = None
    attempt: bool = True  # False: waiting (rate limit, the check), not a failed attempt


async def file_upload(row: OutboxMessage, db: Database | None = None, now=None) -> FileUpload:
    """The file of a ``file`` row: stored text, a chart rendered now from its data, or an
    evaluation export built now from the database."""
    data = row.data
    if row.template == "chart":
        from bot import chart_worker

        content = await chart_worker.render(data, row.language)  # matplotlib stays out of this process
    elif row.template == "evaluation_export":
        from bot.export import outbox_file

        content = await outbox_file(db, data, row.language, now)
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
        self._gates: dict[str, asyncio.Semaphore] = {}
        # Called with (row, outcome) after a row failed for good (e.g. to tell the trekkers).
        self.on_failed: Callable[[OutboxMessage, Outcome], Awaitable[None]] | None = None
        self.window = SendWindow(db, None)  # bootstrap sets the window; without one nothing is held

    def wake(self) -> None:
        self._wake.set()

    # -- claiming -------------------------------------------------------------

    async def _claim(self, limit: int, busy: dict[str, int] | None = None) -> list[OutboxMessage]:
        """Claim due rows, no more per operation than its budget (``busy``: rows of each
        operation this process is still sending, counted against it)."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            due = or_(
                and_(OutboxMessage.status == "pending", OutboxMessage.not_before <= now),
                and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
            )
            # An update or a threaded file waits until the message it belongs to is out.
            parent = aliased(OutboxMessage)
            waiting = exists().where(parent.id == OutboxMessage.update_of_id, parent.status.in_(("pending", "sending")))
            query = select(OutboxMessage).where(due, ~waiting)
            for name in self._full_lanes(busy or {}):  # their rows would only be skipped below
                platform, op = name.split(":", 1)
                query = query.where(~and_(OutboxMessage.platform == platform, OutboxMessage.op == op))
            rows = (
                await s.execute(
                    query
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True, of=OutboxMessage)
                )
            ).scalars().all()
            claimed: list[OutboxMessage] = []
            per_operation: dict[str, int] = dict(busy or {})
            for row in rows:
                # In doubt (its process died mid-send, or a send got no answer): the message
                # may have gone out.  _send checks before sending it again.
                doubt = in_doubt.in_doubt(row)
                name = self.lane(row, doubt)
                if per_operation.get(name, 0) >= self.claim_budget(name):
                    continue  # stays for a later round
                per_operation[name] = per_operation.get(name, 0) + 1
                row.recovered = doubt
                row.status = "sending"
                row.lease_until = now + LEASE
                row.attempts += 1
                claimed.append(row)
            return claimed

    def _full_lanes(self, busy: dict[str, int]) -> list[str]:
        return [name for name, n in busy.items() if not name.endswith(CHECK_BUCKET) and n >= self.claim_budget(name)]

    @staticmethod
    def lane(row: OutboxMessage, doubt: bool | None = None) -> str:
        """The budget a row counts against: its operation, or the check of a row in doubt."""
        if doubt if doubt is not None else getattr(row, "recovered", False):
            return f"{row.platform}:{CHECK_BUCKET}"
        return f"{row.platform}:{row.op}"

    def claim_budget(self, name: str) -> int:
        """How many rows of one operation may be claimed at a time (see CLAIM_AHEAD)."""
        return max(1, min(BATCH, math.ceil(self.pacer.per_second(name) * CLAIM_AHEAD.total_seconds())))

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
        await asyncio.gather(*(self.handle(row) for row in rows))
        return len(rows)

    async def handle(self, row: OutboxMessage, sent: Callable[[], None] | None = None) -> None:
        """Send one claimed row and record its outcome.

        ``concurrency`` sends at a time per operation: updates waiting for their (slower)
        pacer do not hold up direct messages.  Recording the outcome happens after the
        slot is given back, so database latency does not slow sending."""
        name = f"{row.platform}:{row.op}"
        gate = self._gates.setdefault(name, asyncio.Semaphore(self.concurrency))
        try:
            async with gate:
                outcome = await self._send(row)
        finally:
            if sent is not None:
                sent()  # the call is over (whatever came of it): room for the next claim
        if outcome.status == "sent":
            self.pacer.succeeded(name)
        await self._record(row, outcome)
        if outcome.status == "failed" and self.on_failed is not None:
            try:
                await self.on_failed(row, outcome)
            except Exception:
                log.exception("outbox %s: reporting the failure failed", row.key)

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
        wait = await self.window.wait_for(row, now)
        if wait is not None:
            return Outcome("pending", error="quiet_hours", retry_in=wait)
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
            if getattr(row, "recovered", False):
                checked = await in_doubt.check(chat, row, self.pacer, Outcome)
                if checked is not None:
                    return checked
            await self.pacer.acquire(f"{row.platform}:{row.op}", row.target)
            if row.op == "direct":
                ref = await chat.send_direct(row.target, message)
            elif row.op == "channel":
                ref = await chat.post_channel(row.target, message)
            elif row.op == "file":
                thread = await self._thread_of(row)
                if isinstance(thread, Outcome):
                    return thread
                ref = await chat.send_file(row.target, await file_upload(row, self.db, self.clock.now()), thread)
            else:
                return Outcome("failed", error=f"unknown_op:{row.op}")
            return Outcome("sent", ref=ref)
        except ChatError as exc:
            return self._classify(row, exc, chat)
        except Exception as exc:  # a network error or a bug: retry with backoff, keep the row
            log.exception("outbox %s: unexpected error while sending", row.key)
            return self._classify(row, ChatError(type(exc).__name__, permanent=False), chat)

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

    def _classify(self, row: OutboxMessage, exc: ChatError, chat: Chat | None = None) -> Outcome:
        if exc.retry_after is not None:
            self.pacer.rate_limited(f"{row.platform}:{row.op}", row.target, exc.retry_after)
            # Refused, so not sent: after a check said "not there" the row is out of doubt;
            # one that could not be checked keeps its mark (it gets one more try only).
            unchecked = getattr(row, "recovered", False) and chat is not None and not in_doubt.can_check(chat, row)
            error = row.last_error if unchecked and row.last_error else exc.code
            return Outcome("pending", error=error, retry_in=exc.retry_after, attempt=exc.code != "ratelimited")
        if exc.permanent:
            log.warning("outbox %s: permanent failure %s", row.key, exc.code)
            return Outcome("failed", error=exc.code)
        if row.attempts >= MAX_ATTEMPTS:
            log.error("outbox %s: giving up after %d attempts (%s)", row.key, row.attempts, exc.code)
            return Outcome("failed", error=exc.code)
        if exc.unknown and row.op != "update":  # an update is idempotent: just again
            return in_doubt.after_unknown(chat, row, exc, Outcome, backoff(row.attempts))
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
                            future.add_done_callback(lambda f: f.exception())  # its waiter may be gone too
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
            if not outcome.attempt or outcome.error in ("waiting_for_original", "quiet_hours") or outcome.retry_in is not None and outcome.error == "ratelimited":
                values["attempts"] = row.attempts - 1  # waiting is not a failed attempt
        return values

    # -- the loop -------------------------------------------------------------

    async def run_forever(self, idle_seconds: float = 5.0) -> None:
        """Send as rows become due; ``wake()`` makes new rows go out at once."""
        from scheduling.dispatch_loop import run

        await run(self, idle_seconds)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
