"""`python -m bot ...` for long work, as a user runs it in a real subprocess: progress
on a terminal and off it, an honest dry run that writes nothing, no library log lines
unless --verbose, and Ctrl-C / SIGTERM stopping `serve` cleanly."""

from __future__ import annotations

import asyncio
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import time

import aiohttp
import pytest

from bench._common import email, trajectory_yaml
from tests.e2e.conftest import cli_env, harness_env, run_cli
from tests.e2e.test_cli import free_port
from tests.test_export import named_evaluation

PEOPLE = 40  # 4 organisations of 10 (bench/_common.py's ORG_SIZE)


def generated(tmp_path, n_people: int = PEOPLE, name: str = "groot.yaml"):
    path = tmp_path / name
    path.write_text(trajectory_yaml(n_people, "groot"), encoding="utf-8")
    return path


def sqlite_env(db, **extra: str) -> dict[str, str]:
    return cli_env(DATABASE_URL=f"sqlite:///{db}", **extra)


def active_people(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM person WHERE active").fetchone()[0]


async def test_dry_run_on_a_new_database_creates_no_file(tmp_path):
    db = tmp_path / "nieuw.db"
    result = await run_cli("import", "--dry-run", str(generated(tmp_path)), env=sqlite_env(db), cwd=tmp_path)
    assert result.code == 0, result.both
    assert "Proefdraai" in result.out
    assert "Traject groot zou worden aangemaakt." in result.out
    assert "is aangemaakt" not in result.out
    assert "40 mensen" in result.out
    assert not db.exists(), "a dry run creates no database"
    assert not list(tmp_path.glob("nieuw.db*")), "nor its WAL or journal files"


async def test_dry_run_lists_the_people_that_would_be_removed_and_writes_nothing(tmp_path):
    db = tmp_path / "bot.db"
    first = await run_cli("import", str(generated(tmp_path)), env=sqlite_env(db), cwd=tmp_path)
    assert first.code == 0, first.both
    assert "Traject groot is aangemaakt." in first.out
    assert active_people(db) == PEOPLE

    smaller = generated(tmp_path, PEOPLE - 3, "kleiner.yaml")  # persons 37, 38 and 39 left out
    dry = await run_cli("import", "--dry-run", str(smaller), env=sqlite_env(db), cwd=tmp_path)
    assert dry.code == 0, dry.both
    assert "Traject groot zou worden bijgewerkt." in dry.out
    assert "is bijgewerkt" not in dry.out
    assert "Niet meer in het bestand (3). Deze mensen zouden worden verwijderd:" in dry.out
    for i in (37, 38, 39):
        assert f"Persoon {i} <{email(i)}>" in dry.out
    assert f"Persoon 36 <{email(36)}>" not in dry.out
    assert active_people(db) == PEOPLE, "a dry run writes nothing"

    # The same file for real: the same three, now said as done.
    real = await run_cli("import", str(smaller), env=sqlite_env(db), cwd=tmp_path)
    assert real.code == 0, real.both
    assert "Traject groot is bijgewerkt." in real.out
    assert "Niet meer in het bestand (3). Deze mensen krijgen geen berichten meer:" in real.out
    assert active_people(db) == PEOPLE - 3


async def test_dry_run_of_a_moved_session_says_what_would_happen(tmp_path):
    db = tmp_path / "bot.db"
    assert (await run_cli("import", str(generated(tmp_path)), env=sqlite_env(db), cwd=tmp_path)).code == 0
    again = await run_cli("import", "--dry-run", str(generated(tmp_path)), env=sqlite_env(db), cwd=tmp_path)
    assert again.code == 0, again.both
    assert "Traject groot: er zou niets veranderen." in again.out


@pytest.mark.parametrize("command", [("db", "upgrade"), ("import", "FILE"), ("check", "FILE")])
async def test_no_library_log_lines_unless_verbose(tmp_path, command):
    path = str(generated(tmp_path))
    args = [path if a == "FILE" else a for a in command]
    quiet = await run_cli(*args, env=sqlite_env(tmp_path / "stil.db"), cwd=tmp_path)
    assert quiet.code == 0, quiet.both
    assert "alembic" not in quiet.both and "INFO" not in quiet.both, quiet.both

    verbose = await run_cli("--verbose", *args, env=sqlite_env(tmp_path / "luid.db"), cwd=tmp_path)
    assert verbose.code == 0, verbose.both
    if command[0] != "check":  # check touches no database: nothing of alembic's to show
        assert "INFO alembic.runtime.migration" in verbose.err, verbose.both
    assert verbose.out == quiet.out


async def test_progress_off_a_terminal_is_one_plain_line_per_stage(tmp_path):
    result = await run_cli("import", str(generated(tmp_path)), env=sqlite_env(tmp_path / "bot.db"), cwd=tmp_path)
    assert result.code == 0, result.both
    lines = result.err.splitlines()
    assert "Organisaties verwerken (4)..." in lines
    assert "Mensen verwerken (40)..." in lines
    assert "Sessies verwerken (1)..." in lines
    assert "\r" not in result.err and "%|" not in result.err, "no bar in a pipe"
    assert "Organisaties verwerken" not in result.out, "progress stays off standard output"


def test_progress_on_a_terminal_is_a_bar(tmp_path):
    """stderr on a pseudo-terminal (that reports no size, like `script` gives)."""
    path = generated(tmp_path)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "import", str(path)], stdout=subprocess.PIPE, stderr=slave,
        env=sqlite_env(tmp_path / "bot.db"), cwd=str(tmp_path),
    )
    os.close(slave)
    screen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, screen.decode(errors="replace")
    text = screen.decode()
    assert "Mensen verwerken:" in text and "40/40" in text and "100%" in text, text
    assert "\r" in text, "the bar redraws itself in place"
    assert "Traject groot is aangemaakt." in out.decode()


async def test_export_shows_progress_of_the_rows(harness, tmp_path):
    h = harness
    await named_evaluation(h)
    result = await run_cli(
        "export", "evaluations", "--session", "start", "--format", "csv", "--output", str(tmp_path / "uit.csv"),
        env=harness_env(h), cwd=tmp_path,
    )
    assert result.code == 0, result.both
    assert "Antwoorden schrijven (2)..." in result.err.splitlines()
    assert "2 antwoorden geschreven" in result.out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
async def test_serve_stops_cleanly_on_a_signal(tmp_path, sig):
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        # A sweep every 50 ms: the signal comes while a scheduled job is running.
        env=sqlite_env(tmp_path / "bot.db", PORT=str(port), SCHEDULER_INTERVAL="0.05"), cwd=str(tmp_path),
    )
    try:
        async def healthy() -> None:
            async with aiohttp.ClientSession() as http:
                while True:
                    if proc.returncode is not None:
                        raise AssertionError("the bot stopped before it served")
                    try:
                        async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                            if resp.status == 200:
                                return
                    except aiohttp.ClientConnectionError:
                        pass
                    await asyncio.sleep(0.1)  # polling a port, not scheduled behaviour

        await asyncio.wait_for(healthy(), timeout=60)
        proc.send_signal(sig)
        out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    assert "Traceback" not in err.decode(), err.decode()
    assert "Dialoogbot stopt." in out.decode()
    assert "alembic" not in (out + err).decode(), "serve shows no migration log lines"
