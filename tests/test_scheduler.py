"""The scheduler's wiring and jobs, and the schema check on PostgreSQL."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import ProcessedEvent
from scheduling.scheduler import CLEANUP_JOB, RETENTION_JOB, SWEEP_JOB, cleanup_job, start_scheduler
from tests.conftest import POSTGRES, ROOT, _pg_admin, pg_url


async def test_scheduler_has_fixed_jobs_at_the_configured_interval(harness):
    scheduler = start_scheduler(harness.ctx)
    try:
        sweep, cleanup = scheduler.get_job(SWEEP_JOB), scheduler.get_job(CLEANUP_JOB)
        assert sweep.trigger.interval == timedelta(seconds=harness.bot.settings.scheduler_interval)
        assert cleanup.trigger.interval == timedelta(hours=1)
        retention = scheduler.get_job(RETENTION_JOB)
        assert retention.trigger.interval == timedelta(hours=24)
        assert len(scheduler.get_jobs()) == 3
    finally:
        scheduler.shutdown(wait=False)


async def test_cleanup_forgets_old_event_ids_only(harness):
    h = harness
    await h.drv.app_home_opened(h.uid("trekker@voorbeeldstad.example"))
    h.clock.advance(hours=2)
    await h.drv.app_home_opened(h.uid("trekker@voorbeeldstad.example"))
    h.clock.advance(hours=23)
    await cleanup_job(h.ctx)
    async with h.ctx.db.sessionmaker() as s:
        left = (await s.execute(select(ProcessedEvent))).scalars().all()
    assert len(left) == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL only (TEST_POSTGRES_URL)")
async def test_postgres_schema_out_of_date_is_refused_with_the_fix():
    name = f"t_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        env = {"DATABASE_URL": pg_url(name), "PATH": "/usr/bin:/bin", "HOME": "/tmp", "PORT": str(free_port())}
        run = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "bot"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 1
        assert "python -m bot db upgrade" in run.stdout
        upgrade = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "bot", "db", "upgrade"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert upgrade.returncode == 0, upgrade.stderr
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_slack_endpoint_refuses_everything_without_a_signing_secret(tmp_path):
    """Socket Mode needs no signing secret, but then the HTTP endpoint must not trust anyone."""
    import aiohttp
    from aiohttp.test_utils import TestServer

    from bot.app import bootstrap, web_app
    from bot.settings import load_settings
    from tests.slack_emulator import SlackEmulator

    async with SlackEmulator(token="xoxb-test") as emu:
        url = f"sqlite:///{tmp_path}/bot.db"
        await asyncio.to_thread(__import__("bot.db", fromlist=["upgrade"]).upgrade, url)
        settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": emu.api_url, "DATABASE_URL": url})
        bot = bootstrap(settings)
        server = TestServer(web_app(bot, run_background=False), host="127.0.0.1")
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as http:
                body = {"command": "/dialoog", "text": "help", "user_id": "U0001", "team_id": "T0001", "response_url": emu.new_response_url()}
                async with http.post(server.make_url("/slack/events"), data=body) as resp:
                    assert resp.status == 401
            assert emu.responses() == []
        finally:
            await server.close()
            await bot.ctx.db.dispose()
