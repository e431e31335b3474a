"""A Slack token that Slack refuses, or a Slack that cannot be reached: `import` says so
in one line and writes nothing; `serve` says so, keeps running, and /healthz shows it."""

from __future__ import annotations

import asyncio
import socket
import sys

import aiohttp
import pytest

from bot.models import OutboxMessage, Person, Trajectory
from tests.conftest import TOKEN, example
from tests.e2e.conftest import count, harness_env, run_cli

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere

REFUSED = "Slack weigert het token"
UNREACHABLE = "Ik kan Slack niet bereiken"


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/"  # nothing listens there once the socket is closed


async def nothing_written(h) -> None:
    assert [await count(h, m) for m in (Trajectory, Person, OutboxMessage)] == [0, 0, 0]


@pytest.mark.parametrize("refusal", ["unknown token", "account_inactive", "token_revoked"])
async def test_import_with_a_refused_token_says_so_exits_2_and_writes_nothing(harness, tmp_path, refusal):
    h = harness
    if refusal == "unknown token":
        env = {**harness_env(h), "SLACK_BOT_TOKEN": "xoxb-typo"}
    else:
        h.emu.refuse_token(TOKEN, refusal)
        env = harness_env(h)
    result = await run_cli("import", str(example("hitteplan.yaml")), env=env, cwd=tmp_path)
    assert result.code == 2, result.both
    assert REFUSED in result.out and "SLACK_BOT_TOKEN" in result.out
    assert "Er is niets opgeslagen." in result.out
    assert "Niet gevonden" not in result.both and "Traceback" not in result.both
    # It stopped at the first refusal instead of asking for all 14 people.
    assert len(h.emu.calls_to("users.lookupByEmail")) == 1
    await nothing_written(h)


@pytest.mark.parametrize("refusal", ["missing_scope", "no_permission"])
async def test_import_that_slack_will_not_let_look_people_up_says_why_and_writes_nothing(harness, tmp_path, refusal):
    """Not "niet gevonden" for everyone (nor a retry for hours): the app's rights are wrong."""
    h = harness
    h.emu.fail_next("users.lookupByEmail", refusal, times=100, needed="users:read.email")
    result = await run_cli("import", str(example("hitteplan.yaml")), env=harness_env(h), cwd=tmp_path)
    assert result.code == 2, result.both
    assert "Slack laat de bot geen mensen opzoeken" in result.out and refusal in result.out
    assert "python -m bot manifest" in result.out and "Er is niets opgeslagen." in result.out
    assert "Niet gevonden" not in result.both and "Traceback" not in result.both
    assert len(h.emu.calls_to("users.lookupByEmail")) == 1  # stopped at the first answer
    await nothing_written(h)


async def test_import_when_slack_is_unreachable_says_so_and_writes_nothing(harness, tmp_path):
    h = harness
    env = {**harness_env(h), "SLACK_API_URL": closed_port_url()}
    result = await run_cli("import", str(example("hitteplan.yaml")), env=env, cwd=tmp_path)
    assert result.code == 1, result.both
    assert UNREACHABLE in result.out and "Er is niets opgeslagen." in result.out
    assert "Niet gevonden" not in result.both and "Traceback" not in result.both
    await nothing_written(h)


async def test_a_later_import_with_a_refused_token_leaves_the_trajectory_alone(harness, tmp_path):
    h = harness
    await h.import_example()
    before = [await count(h, m) for m in (Trajectory, Person, OutboxMessage)]
    h.emu.refuse_token(TOKEN, "invalid_auth")
    async with h.ctx.db.sessionmaker() as s:  # force a look-up: forget one Slack id
        person = (await s.execute(Person.__table__.select().limit(1))).first()
    async with h.ctx.db.transaction() as s:
        (await s.get(Person, person.id)).slack_user_id = None
    result = await run_cli("import", str(example("hitteplan.yaml")), env=harness_env(h), cwd=tmp_path)
    assert result.code == 2 and REFUSED in result.out, result.both
    assert [await count(h, m) for m in (Trajectory, Person, OutboxMessage)] == before
    async with h.ctx.db.sessionmaker() as s:
        assert (await s.get(Person, person.id)).slack_user_id is None  # nothing half-written


# -- serve --------------------------------------------------------------------------------


async def serve_and_check_health(env: dict, cwd) -> tuple[str, dict]:
    """Start `python -m bot serve`, wait for "luistert op poort", GET /healthz, stop it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**env, "PORT": str(port)}, cwd=str(cwd))
    lines: list[str] = []
    try:
        async def read_until_listening() -> None:
            while not lines or "luistert op poort" not in lines[-1]:
                raw = await proc.stdout.readline()
                if not raw:
                    raise AssertionError("the bot stopped:\n" + "".join(lines))
                lines.append(raw.decode())

        await asyncio.wait_for(read_until_listening(), timeout=60)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                assert resp.status == 200
                return "".join(lines), await resp.json()
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), timeout=10)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


@pytest.mark.parametrize("case", ["ok", "refused", "unreachable"])
async def test_serve_checks_the_token_keeps_running_and_healthz_reports_slack(harness, tmp_path, case):
    h = harness
    env = harness_env(h)
    if case == "refused":
        env["SLACK_BOT_TOKEN"] = "xoxb-revoked"
    elif case == "unreachable":
        env["SLACK_API_URL"] = closed_port_url()
    output, health = await serve_and_check_health(env, tmp_path)
    expected = {"ok": "ok", "refused": "invalid_auth", "unreachable": "unreachable"}[case]
    assert health["slack"] == expected and health["database"] == "ok"
    assert health["ok"] is (case == "ok")
    assert (REFUSED in output) is (case == "refused")
    assert (UNREACHABLE in output) is (case == "unreachable")
    assert "Traceback" not in output
    if case != "unreachable":
        assert h.emu.calls_to("auth.test")
