"""`python -m bot ...` as a user runs it: manifest, db upgrade, serve without Slack settings."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import sys

import aiohttp
import yaml

from tests.conftest import example
from tests.e2e.conftest import cli_env, run_cli


async def test_manifest_has_the_command_the_events_and_interactivity(tmp_path):
    result = await run_cli("manifest", env=cli_env(), cwd=tmp_path)
    assert result.code == 0, result.both
    manifest = yaml.safe_load(result.out)
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/dialoog"
    settings = manifest["settings"]
    assert {"app_home_opened", "message.im"} <= set(settings["event_subscriptions"]["bot_events"])
    assert settings["interactivity"]["is_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "im:write", "users:read", "users:read.email", "files:write"} <= scopes
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    # Without a public URL: Socket Mode, and no request URLs at all.
    assert settings["socket_mode_enabled"] is True
    assert "url" not in command and "request_url" not in settings["interactivity"]

    http = await run_cli("manifest", "--url", "https://dialoog.example/", env=cli_env(), cwd=tmp_path)
    assert http.code == 0, http.both
    manifest = yaml.safe_load(http.out)
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    assert manifest["features"]["slash_commands"][0]["url"] == "https://dialoog.example/slack/events"
    assert settings["event_subscriptions"]["request_url"] == "https://dialoog.example/slack/events"
    assert settings["interactivity"]["request_url"] == "https://dialoog.example/slack/events"

    # PUBLIC_URL is the default for --url.
    from_env = await run_cli("manifest", env=cli_env(PUBLIC_URL="https://bot.example.org"), cwd=tmp_path)
    assert yaml.safe_load(from_env.out)["settings"]["interactivity"]["request_url"] == \
        "https://bot.example.org/slack/events"


async def test_db_upgrade_is_idempotent(database_url, tmp_path):
    # The test database is already up to date: upgrading again is fine, twice.
    for _ in range(2):
        result = await run_cli("db", "upgrade", env=cli_env(DATABASE_URL=database_url), cwd=tmp_path)
        assert result.code == 0, result.both
        assert "bijgewerkt" in result.out

    # A brand-new SQLite file: created on the first run, left alone on the second.
    fresh = tmp_path / "nieuw.db"
    for _ in range(2):
        result = await run_cli("db", "upgrade", env=cli_env(DATABASE_URL=f"sqlite:///{fresh}"), cwd=tmp_path)
        assert result.code == 0, result.both
    with sqlite3.connect(fresh) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert {"trajectory", "person", "session", "invitation", "outbox", "scheduled_task"} <= tables
    assert len(versions) == 1


async def test_import_without_slack_settings_still_imports(tmp_path):
    db = tmp_path / "bot.db"
    result = await run_cli("import", str(example("hitteplan.yaml")), env=cli_env(DATABASE_URL=f"sqlite:///{db}"),
                           cwd=tmp_path)
    assert result.code == 0, result.both
    assert "Traject hitteplan-voorbeeldstad is aangemaakt." in result.out
    assert "Slack is niet ingesteld" in result.out
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT key FROM trajectory").fetchall() == [("hitteplan-voorbeeldstad",)]


async def test_a_bad_setting_is_named(tmp_path):
    result = await run_cli("db", "upgrade", env=cli_env(DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
                                                         QUIET_HOURS="negen tot vijf"), cwd=tmp_path)
    assert result.code == 2
    assert "QUIET_HOURS" in result.err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_serving_without_slack_settings_says_what_is_missing(tmp_path):
    port = free_port()
    db = tmp_path / "bot.db"
    env = cli_env(DATABASE_URL=f"sqlite:///{db}", PORT=str(port))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env=env, cwd=str(tmp_path))
    lines: list[str] = []
    try:
        async def read_until_listening() -> None:
            while True:
                raw = await proc.stdout.readline()
                if not raw:
                    raise AssertionError("the bot stopped:\n" + "".join(lines))
                lines.append(raw.decode())
                if "luistert op poort" in lines[-1]:
                    return

        await asyncio.wait_for(read_until_listening(), timeout=60)
        output = "".join(lines)
        assert "Slack is nog niet ingesteld" in output
        # No PUBLIC_URL: the steps are for Socket Mode, as `python -m bot manifest` prints it.
        assert "Deze instellingen ontbreken: SLACK_BOT_TOKEN, SLACK_APP_TOKEN." in output
        assert "python -m bot manifest" in output
        assert "connections:write" in output and "SLACK_SIGNING_SECRET" not in output
        assert f"poort {port}" in lines[-1]

        # It serves anyway: health, and a clear answer on the Slack endpoint.
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                assert resp.status == 200
                body = await resp.json()
                assert body["ok"] is True and body["slack"] == "not_configured"
            async with http.post(f"http://127.0.0.1:{port}/slack/events", data=b"{}") as resp:
                assert resp.status in (401, 503)
            async with http.post(f"http://127.0.0.1:{port}/api/messages", json={}) as resp:
                assert resp.status == 401
        # The embedded SQLite database brought itself up to date.
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), timeout=10)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()


async def test_settings_come_from_the_env_file_where_the_user_stands(tmp_path):
    # A user's .env beside their checkout (the current directory), not the package's folder.
    (tmp_path / ".env").write_text("PUBLIC_URL=https://uit-dotenv.example\n", encoding="utf-8")
    env = cli_env()
    del env["PUBLIC_URL"]  # cli_env empties it to keep stray .env files out
    result = await run_cli("manifest", env=env, cwd=tmp_path)
    assert result.code == 0, result.both
    assert yaml.safe_load(result.out)["settings"]["event_subscriptions"]["request_url"] == "https://uit-dotenv.example/slack/events"
    # A variable set in the environment wins over the file.
    env["PUBLIC_URL"] = "https://uit-omgeving.example"
    result = await run_cli("manifest", env=env, cwd=tmp_path)
    assert yaml.safe_load(result.out)["settings"]["event_subscriptions"]["request_url"] == "https://uit-omgeving.example/slack/events"
