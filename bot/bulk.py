"""Bulk writes that are safe to repeat: ``INSERT ... ON CONFLICT DO NOTHING`` on a
unique key, through SQLAlchemy's SQLite or PostgreSQL dialect.

One call is one statement (an executemany) however many rows it writes, and a row whose
key exists already is skipped by the database itself, so a re-run (after a crash, or a
second command at the same time) adds nothing twice.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence, TypeVar

from sqlalchemy import JSON, Text, bindparam, cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def insert_ignore(
    s: AsyncSession, model: Any, rows: Iterable[dict[str, Any]], keys: list[str], json_text: dict[str, str] | None = None,
    returning: Sequence[Any] = (),
) -> list[Any]:
    """Insert ``rows`` into ``model``'s table; rows whose ``keys`` exist are left alone.

    ``json_text``: JSON columns whose value the rows hold as encoded text already, by
    column -> the rows' key for it (the text is stored as it is).  ``returning``: columns
    to read back from the rows this statement inserted (not those that existed), in no
    particular order; without it nothing is read back."""
    rows = list(rows)
    if not rows:
        return []
    await s.flush()  # ORM rows still pending go first (one with the same key wins, as before)
    postgres = s.bind.dialect.name == "postgresql"
    dialect = postgresql if postgres else sqlite
    statement = dialect.insert(model.__table__)
    if json_text:
        # SQLite keeps JSON as text; PostgreSQL casts the text to its json type.
        texts = {column: bindparam(name, type_=Text) for column, name in json_text.items()}
        statement = statement.values({c: cast(p, JSON) if postgres else p for c, p in texts.items()})
    statement = statement.on_conflict_do_nothing(index_elements=keys)
    if not returning:
        await s.execute(statement, rows)
        return []
    return list(await s.execute(statement.returning(*returning), rows))


async def insert_select_ignore(s: AsyncSession, model: Any, columns: list[str], query: Any, keys: list[str]) -> None:
    """``INSERT INTO model (columns) <query> ON CONFLICT DO NOTHING``: rows made by the
    database from rows it has (no parameters, no Python work per row)."""
    await s.flush()
    dialect = postgresql if s.bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model.__table__).from_select(columns, query).on_conflict_do_nothing(index_elements=keys)
    await s.execute(statement)
