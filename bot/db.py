"""Engine, sessions and schema migrations (Alembic)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sqlite3
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import AsyncIterator, Callable, Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, exc as sa_exc, text as sql_text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.settings import to_async_url

OUTBOX_WRITTEN = "outbox_written"  # see bot.outbox.WRITTEN
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaOutOfDate(RuntimeError):
    """The database schema is older than the code."""


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened: ``cli.database.<code>`` with ``params``."""

    def __init__(self, code: str, **params: object):
        super().__init__(code, params)
        self.code = code
        self.params = params


@contextmanager
def reaching(database_url: str) -> Iterator[None]:
    """Turn the errors of a first connection into :class:`DatabaseUnavailable`.

    Wrap only code that opens the database (upgrade, schema check): inside it, any
    connection failure is the database's, so the mapping can be broad.
    """
    check_sqlite_path(database_url)
    try:
        yield
    except DatabaseUnavailable:
        raise
    except Exception as exc:
        problem = connection_problem(exc, database_url)
        if problem is None:
            raise
        raise problem from exc


def check_sqlite_path(database_url: str) -> None:
    """A SQLite file in a folder that is missing (or not writable) is refused before
    connecting: aiosqlite's worker thread would print a traceback after the failure."""
    try:
        url = make_url(database_url)
    except sa_exc.ArgumentError:
        raise DatabaseUnavailable("bad_url") from None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    file = Path(url.database)
    folder = file.resolve().parent
    if not folder.is_dir():
        raise DatabaseUnavailable("sqlite_no_folder", file=str(file), folder=str(file.parent))
    if file.is_dir() or not os.access(file if file.exists() else folder, os.R_OK | os.W_OK):
        raise DatabaseUnavailable("sqlite_cannot_open", file=str(file))


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend([getattr(current, "orig", None), current.__cause__, current.__context__])


def connection_problem(exc: BaseException, database_url: str) -> DatabaseUnavailable | None:
    """What is wrong, for the user, or None when ``exc`` is not about reaching the database."""
    try:
        url = make_url(database_url)
    except sa_exc.ArgumentError:
        return DatabaseUnavailable("bad_url")
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql", "postgres"):
        return DatabaseUnavailable("bad_url")
    causes = list(_causes(exc))
    text = " ".join(str(c) for c in causes).lower()
    if backend == "sqlite":
        if "unable to open database file" in text or any(isinstance(c, OSError) for c in causes):
            file = Path(url.database or "")
            if not file.resolve().parent.is_dir():
                return DatabaseUnavailable("sqlite_no_folder", file=str(file), folder=str(file.parent))
            return DatabaseUnavailable("sqlite_cannot_open", file=str(file))
        return None
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return DatabaseUnavailable("unknown_host", host=url.host or "localhost")
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "connect call failed" in text:
        return DatabaseUnavailable("refused", where=where)
    if any(isinstance(c, (TimeoutError, asyncio.TimeoutError)) for c in causes):
        return DatabaseUnavailable("timeout", where=where)
    if "password authentication failed" in text or "authentication" in text:
        return DatabaseUnavailable("login_failed", user=url.username or "", where=where)
    if "does not exist" in text and "database" in text:
        return DatabaseUnavailable("no_database", database=url.database or "", where=where)
    if any(isinstance(c, (OSError, sa_exc.DBAPIError)) for c in causes):
        reason = next((str(c) for c in reversed(causes) if str(c)), type(exc).__name__)
        return DatabaseUnavailable("unreachable", where=where, reason=reason.splitlines()[0][:200])
    return None


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", to_async_url(database_url).replace("%", "%%"))
    return cfg


def upgrade(database_url: str) -> None:
    """Bring the schema to the newest revision (idempotent). Call outside a running event loop."""
    command.upgrade(alembic_config(database_url), "head")


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


async def ensure_schema_current(engine: AsyncEngine, database_url: str) -> None:
    current, head = await current_revision(engine), head_revision(database_url)
    if current != head:
        raise SchemaOutOfDate(
            f"The database schema is at revision {current or 'none'}, the code needs {head}. "
            "Run: python -m bot db upgrade"
        )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Take transactions into our own hands (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Deleted rows are overwritten with zeros, not left readable in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # BEGIN IMMEDIATE: a transaction takes the write lock up front, so two
    # coroutines never deadlock upgrading a read lock (SQLITE_BUSY).
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(database_url: str) -> AsyncEngine:
    url = to_async_url(database_url)
    if url.startswith("sqlite"):
        # aiosqlite's DEBUG log prints every statement with its parameters, in order: it
        # would put a person and their anonymous evaluation answers side by side.
        driver_log = logging.getLogger("aiosqlite")
        driver_log.setLevel(max(driver_log.level, logging.INFO))
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


class WriteGate:
    """One writing transaction at a time within this process (SQLite has one writer anyway).

    Writers queue here, in order, instead of polling SQLite's busy handler; under a
    burst of clicks that is both faster and never ends in "database is locked".
    Re-entrant for the task that holds it, so a nested ``transaction()`` cannot deadlock.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task | None = None

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if self._owner is task:
            yield
            return
        async with self._lock:
            self._owner = task
            try:
                yield
            finally:
                self._owner = None


class Database:
    """The engine plus a session factory; services take the session explicitly."""

    def __init__(self, database_url: str):
        self.url = database_url
        self.engine = make_engine(database_url)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self._gate = WriteGate() if self.engine.dialect.name == "sqlite" else None
        self._after_commit: list[Callable[[], None]] = []

    def after_outbox_commit(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` after every committed ``transaction()`` that wrote outbox rows
        (bootstrap: wake the dispatcher, so nobody has to remember it by hand)."""
        self._after_commit.append(hook)

    def _committed(self, session: AsyncSession) -> None:
        if session.info.pop(OUTBOX_WRITTEN, False):
            for hook in self._after_commit:
                hook()

    def connections_in_use(self) -> int:
        """Connections of this process checked out right now (on SQLite each one that has
        begun holds the write lock or waits for it: every transaction is BEGIN IMMEDIATE)."""
        return self.engine.sync_engine.pool.checkedout()

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on error."""
        if self._gate is None:  # PostgreSQL: row locks and SKIP LOCKED do the work
            async with self.sessionmaker() as session:
                async with session.begin():
                    yield session
                self._committed(session)
        else:
            async with self._gate.hold():
                async with self.sessionmaker() as session:
                    async with session.begin():
                        yield session
                    self._committed(session)

    async def checkpoint(self) -> None:
        """SQLite: copy the WAL into the database file and truncate it, so that it holds no
        page images in the order they were written (after an anonymous answer).  Best
        effort: a busy database is checkpointed by a later call.  PostgreSQL: nothing."""
        if self._gate is None:
            return
        async with self._gate.hold():
            async with self.engine.connect() as conn:
                raw = await conn.get_raw_connection()  # outside a transaction: a checkpoint cannot run in one
                try:
                    cursor = await raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    await cursor.close()
                except sqlite3.OperationalError:  # busy or locked: a later call checkpoints
                    pass

    async def ping(self) -> None:
        """Raises when the database cannot be reached (the health check)."""
        async with self.sessionmaker() as session:
            await session.execute(sql_text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
