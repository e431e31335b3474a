"""Commands that need no database start without the database stack: ``manifest``,
``teams-manifest``, ``check``, ``--help`` and an unknown command load neither
SQLAlchemy nor alembic (nor any platform SDK).  Checked in a fresh interpreter per
command through ``sys.modules`` (a count of modules, not a time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, example

PROBE = """
import contextlib, io, json, runpy, sys
wanted = set(json.loads(sys.argv[2]))
sys.argv = ["bot"] + json.loads(sys.argv[1])
out, code = io.StringIO(), None
try:
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        runpy.run_module("bot", run_name="__main__")
except SystemExit as exit:
    code = exit.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & wanted)
print(json.dumps({"code": code, "heavy": heavy, "out": out.getvalue()[:200]}))
"""
HEAVY = ["sqlalchemy", "alembic", "aiosqlite", "asyncpg", "matplotlib", "slack_bolt", "slack_sdk", "aiohttp", "microsoft_agents"]


def run(args: list[str], tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_")) and k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("args", [
    ["manifest", "--url", "https://dialoog.example"],
    ["manifest", "--socket"],
    ["teams-manifest", "--app-id", "00000000-0000-0000-0000-000000000001", "--out", "teams.zip"],
    ["check", str(example("hitteplan.yaml"))],
    ["--help"],
    ["help"],
], ids=lambda a: a[0])
def test_commands_without_a_database_import_no_database_stack(args, tmp_path):
    result = run(args, tmp_path)
    assert result["code"] in (0, 2, None), result
    assert result["heavy"] == [], f"{args[0]} loaded {result['heavy']}"


def test_the_probe_sees_the_database_stack_when_a_command_loads_it(tmp_path):
    result = run(["db", "upgrade"], tmp_path)  # SQLite in the temporary folder: needs the stack
    assert "sqlalchemy" in result["heavy"] and "alembic" in result["heavy"]
