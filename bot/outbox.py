"""Writing to the outbox.  Every message the bot sends starts as a row here,
written in the same transaction as the change that caused it.

The idempotency key makes writing safe to repeat: a second ``enqueue`` with the
same key is a no-op, so a re-run command, a re-delivered event or a sweep that
runs twice never sends twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db import OUTBOX_WRITTEN
from bot.identity import route
from bot.models import OutboxMessage, Person
from bot.viewmodels import problem, version_of


# Set in a session's ``info`` when it wrote outbox rows: after the commit the database
# wakes the dispatcher (``Database.after_outbox_commit``).
WRITTEN = OUTBOX_WRITTEN


async def find(session: AsyncSession, key: str) -> OutboxMessage | None:
    return (await session.execute(select(OutboxMessage).where(OutboxMessage.key == key))).scalar_one_or_none()


async def withdraw(session: AsyncSession, *keys: str) -> int:
    """Take back messages that no longer apply (a reminder waiting for the working morning
    when the person has meanwhile answered).  ``%`` in a key matches anything.  Only rows
    still waiting are withdrawn; one being sent right now cannot be stopped."""
    if not keys:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "pending", or_(*(OutboxMessage.key.like(k) for k in keys)))
        .values(status="skipped", last_error="no_longer_applies")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def revise(
    session: AsyncSession, *, original_key: str, key: str, data: dict[str, Any], now: datetime, person: Person | None = None
) -> OutboxMessage | None:
    """Queue an in-place update of the message ``original_key`` with ``data`` (nothing
    when that message never went out, failed or was withdrawn)."""
    original = await find(session, original_key)
    if original is None or original.status in ("failed", "expired", "skipped"):
        return None
    row, _ = await enqueue(
        session, key=key, op="update", template=original.template, data=data, person=person, now=now, update_of=original
    )
    return row


async def latest_data(session: AsyncSession, original: OutboxMessage) -> dict[str, Any] | None:
    """The view-model of the newest version of a message (the original or its last update),
    or None when it does not fit the template's current view-model (stored with another
    version, or a key missing): the caller rebuilds it."""
    data, version = (
        await session.execute(
            select(OutboxMessage.data, OutboxMessage.data_version)
            .where(or_(OutboxMessage.id == original.id, OutboxMessage.update_of_id == original.id), OutboxMessage.op != "file")
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
    ).one()
    return data if problem(original.template, version, data) is None else None


async def latest_data_by_key(session: AsyncSession, keys: list[str]) -> dict[str, dict[str, Any] | None]:
    """:func:`latest_data` for many messages in one statement: for each key that has a
    message, the view-model of its newest version (None when it does not fit the
    template's current view-model).  Keys without a message are left out."""
    if not keys:
        return {}
    original, version = aliased(OutboxMessage), aliased(OutboxMessage)
    rows = (
        await session.execute(
            select(original.key, original.template, version.data, version.data_version)
            .join(version, or_(version.id == original.id, version.update_of_id == original.id))
            .where(original.key.in_(set(keys)), version.op != "file")
            .order_by(original.key, version.id)
        )
    ).all()
    latest: dict[str, dict[str, Any] | None] = {}
    for key, template, data, data_version in rows:  # ordered by id: the last one wins
        latest[key] = data if problem(template, data_version, data) is None else None
    return latest


async def enqueue(session: AsyncSession, *, key: str, now: datetime, **fields: Any) -> tuple[OutboxMessage, bool]:
    """Add a message unless one with ``key`` exists.  Returns (row, created).

    The row is stamped with the current version of the template's view-model
    (``bot.viewmodels.VERSIONS``; an unknown template raises ``UnknownTemplate``).

    ``fields`` are those of :func:`_row`: op, template, data, not_before, expires_at,
    trajectory_id, person (routes to the person's platform), target, platform,
    language, update_of, at_once (the answer to the recipient's own request: not held
    by the sending window; every other row waits for it, see scheduling/dispatcher.py).
    """
    existing = await find(session, key)
    if existing is not None:
        return existing, False
    row = await _insert_once(session, _row(key=key, now=now, **fields))
    if row is None:  # a concurrent transaction wrote the same key first (two commands at once)
        return await find(session, key), False
    session.info[WRITTEN] = True
    return row, True


async def _insert_once(session: AsyncSession, row: OutboxMessage) -> OutboxMessage | None:
    """INSERT ... ON CONFLICT (key) DO NOTHING: the row, or None when the key exists."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {c.key: getattr(row, c.key) for c in OutboxMessage.__table__.columns if getattr(row, c.key) is not None}
    statement = insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["key"]).returning(OutboxMessage)
    return (await session.execute(statement)).scalar_one_or_none()


async def enqueue_many(session: AsyncSession, messages: list[dict[str, Any]], *, now: datetime) -> list[OutboxMessage]:
    """``enqueue`` for many messages at once (e.g. a memo to 500 people): one look-up
    per chunk of keys and one flush.  Each item holds ``enqueue``'s keyword arguments
    except ``now``.  Keys that exist already are skipped; returns the rows created."""
    created: list[OutboxMessage] = []
    for start in range(0, len(messages), 500):
        chunk = messages[start : start + 500]
        keys = [m["key"] for m in chunk]
        existing = set((await session.execute(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys)))).scalars())
        for item in chunk:
            if item["key"] in existing:
                continue
            existing.add(item["key"])
            created.append(_row(now=now, **item))
    session.add_all(created)
    await session.flush()
    if created:
        session.info[WRITTEN] = True
    return created


def _row(**fields: Any) -> OutboxMessage:
    return OutboxMessage(**_values(**fields))


def _values(
    *,
    key: str,
    op: str,
    template: str,
    data: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
    trajectory_id: int | None = None,
    person: Person | None = None,
    target: str | None = None,
    platform: str = "slack",
    language: str = "nl",
    update_of: OutboxMessage | None = None,
    update_of_id: int | None = None,
    at_once: bool = False,
) -> dict[str, Any]:
    """The column values of a new row (a plain dict: a bulk insert builds no ORM objects)."""
    if person is not None:
        reach = route(person)
        if reach is not None and target is None:
            platform, target = reach
        language = person.language or language
        trajectory_id = trajectory_id or person.trajectory_id
    return dict(
        key=key,
        op=op,
        template=template,
        data=data,
        data_version=version_of(template),
        trajectory_id=trajectory_id,
        person_id=person.id if person is not None else None,
        target=target,
        platform=platform,
        language=language,
        update_of_id=update_of.id if update_of is not None else update_of_id,
        status="pending",
        attempts=0,
        not_before=not_before or now,
        expires_at=expires_at,
        created_at=now,
        at_once=at_once,
    )


async def insert_many(session: AsyncSession, messages: list[dict[str, Any]], *, now: datetime) -> None:
    """``enqueue`` for many messages in one statement that reads nothing back:
    ``INSERT ... ON CONFLICT (key) DO NOTHING``, so a key that exists is skipped by the
    database (a re-run or a second writer at the same time adds nothing twice).  Each
    item holds ``enqueue``'s keyword arguments except ``now``, with ``update_of_id``
    (an id) instead of ``update_of``, and ``data_json`` (``data`` encoded as JSON
    already) instead of ``data`` when the caller encodes it faster (the same in every item)."""
    from bot.bulk import insert_ignore

    if not messages:
        return
    rows = []
    for item in messages:
        item = dict(item)
        text = item.pop("data_json", None)
        row = _values(now=now, data=item.pop("data", None), **item)
        if text is not None:
            del row["data"]
            row["data_json"] = text
        rows.append(row)
    await insert_ignore(session, OutboxMessage, rows, ["key"], json_text={"data": "data_json"} if "data_json" in rows[0] else None)
    session.info[WRITTEN] = True
