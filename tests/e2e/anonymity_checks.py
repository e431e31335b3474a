"""What a reader of the database, the outbox, the logs or the raw SQLite files can see
after anonymous answers: shared by the Slack and the Teams anonymity tests."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from sqlalchemy import select, text as text_sql
from sqlalchemy.engine import make_url

from bot.models import Base, EvaluationPrompt, OutboxMessage, Person

# Columns that hold a person or a moment; none of them may sit next to an answer.
PERSONAL_COLUMNS = {"person_id", "submitted_at", "updated_at", "created_at", "prompted_at", "answered_at"}


async def every_row(ctx) -> dict[str, list[dict]]:
    """Every row of every table, as dicts."""
    out: dict[str, list[dict]] = {}
    async with ctx.db.sessionmaker() as s:
        for table in Base.metadata.sorted_tables:
            rows = (await s.execute(select(table))).mappings().all()
            out[table.name] = [dict(r) for r in rows]
    return out


async def identities(ctx, emails) -> dict[str, set[str]]:
    """Per respondent: everything that names them (e-mail, name, platform ids, database id)."""
    async with ctx.db.sessionmaker() as s:
        people = (await s.execute(select(Person).where(Person.email.in_(list(emails))))).scalars().all()
    return {
        p.email: {x for x in (p.email, p.name, p.slack_user_id, p.teams_user_id) if x} | {f"person {p.id}", f"person_id={p.id}"}
        for p in people
    }


async def assert_unlinkable(ctx, answers: dict[str, str], records: list[logging.LogRecord]) -> None:
    """``answers``: e-mail -> the (unique) text that person typed."""
    who = await identities(ctx, answers)
    texts = set(answers.values())
    tables = await every_row(ctx)
    for name, rows in tables.items():
        for row in rows:
            flat = repr(row)
            if not any(t in flat for t in texts):
                continue
            if name == "outbox":
                assert row["template"] == "evaluation_results", ("an answer in the outbox before results", row["key"])
                assert not any(i in flat for ids in who.values() for i in ids if not i.startswith("person")), row["key"]
                continue
            assert name in ("evaluation_pool", "evaluation_response"), (name, "holds an answer")
            assert not PERSONAL_COLUMNS & {k for k, v in row.items() if v is not None}, (name, row)
    # The markers say who answered, never when.
    assert not PERSONAL_COLUMNS - {"person_id", "prompted_at"} & {c.name for c in EvaluationPrompt.__table__.columns}
    async with ctx.db.sessionmaker() as s:
        if ctx.db.is_postgres:
            xmins = (await s.execute(text_sql("SELECT count(DISTINCT xmin::text) FROM evaluation_pool"))).scalar_one()
            assert xmins <= 1, "every pending answer set was written by the same (last) transaction"
        else:
            assert (await s.execute(text_sql("PRAGMA secure_delete"))).scalar_one() == 1, "deleted rows are zeroed"
            try:
                await s.execute(text_sql("SELECT rowid FROM evaluation_pool"))
                raise AssertionError("the pool has a rowid: its order would be the order of answering")
            except Exception as exc:  # no such column: rowid
                assert "rowid" in str(exc)
        # The "bedankt" updates carry the person and the time; the answers carry neither.
        revs = (await s.execute(select(OutboxMessage).where(OutboxMessage.key.like("eval-prompt-rev:%")))).scalars().all()
        assert len(revs) >= len(answers)
        assert not any(t in repr(r.data) for r in revs for t in texts)
    logged = "\n".join(f"{r.levelname} {r.name} {r.getMessage()}" for r in records)
    assert not any(t in logged for t in texts), "an answer in the log"
    for ids in who.values():
        assert not any(i in logged for i in ids), "a respondent in the log at the moment of answering"
    loud = [r for r in records if r.levelno >= logging.INFO and r.name != "aiohttp.access"]
    assert not loud, [f"{r.name}: {r.getMessage()}" for r in loud]


def _read(path: Path) -> bytes:
    """The file's bytes, read by another process: closing a file descriptor of the
    database in this process would drop SQLite's POSIX locks (fcntl) on it."""
    return subprocess.run(["cat", str(path)], capture_output=True, check=True).stdout


def assert_no_trace_in_files(database_url: str, answers: dict[str, str], copies: int = 1) -> None:
    """SQLite: the WAL holds no answer, and the database file each answer ``copies``
    times (no stale copies of rewritten pool rows: ``secure_delete``)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return
    main = Path(url.database)
    wal = Path(str(main) + "-wal")
    content = _read(main)
    wal_bytes = _read(wal) if wal.exists() else b""
    for text in answers.values():
        needle = text.encode("utf-8")
        assert needle not in wal_bytes, "the WAL shows an answer (in the order it was written)"
        assert content.count(needle) == copies, (text, content.count(needle))
