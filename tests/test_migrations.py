"""The migrations build the schema the models describe (tables, columns, types,
indexes), on SQLite and PostgreSQL, and the newest one can be undone and redone."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from bot import db as dbmod
from bot.models import Base


async def differences(url: str) -> list:
    engine = create_async_engine(dbmod.to_async_url(url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata)
            )
    finally:
        await engine.dispose()


async def test_migrations_match_the_models(database_url):
    assert await differences(database_url) == []


async def test_newest_migration_goes_down_and_up_again(database_url):
    config = dbmod.alembic_config(database_url)
    head = dbmod.head_revision(database_url)
    await asyncio.to_thread(command.downgrade, config, "-1")
    assert await differences(database_url) != []  # the newest migration changed something
    await asyncio.to_thread(dbmod.upgrade, database_url)
    engine = create_async_engine(dbmod.to_async_url(database_url))
    try:
        assert await dbmod.current_revision(engine) == head
    finally:
        await engine.dispose()
    assert await differences(database_url) == []
