"""Bad input to `python -m bot ...`: one clear Dutch line, never a traceback, exit status 2
for a bad file or setting, and the database unchanged (or not created)."""

from __future__ import annotations

import os
import socket

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.models import Trajectory
from tests.conftest import example
from tests.e2e.conftest import cli_env, dump, error_lines, example_data, run_cli, session_spec

UNREACHABLE_PG = "postgresql://u:p@127.0.0.1:1/x"
MISSING_FOLDER = "sqlite:////nonexistent/dir/x.db"


def no_traceback(result) -> None:
    assert "Traceback" not in result.both, result.both
    assert "Error:" not in result.both, result.both


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


async def trajectory_count(url: str) -> int:
    db = Database(url)
    try:
        async with db.transaction() as s:
            return await s.scalar(select(func.count()).select_from(Trajectory))
    finally:
        await db.dispose()


# --------------------------------------------------------------------------- impossible dates


@pytest.mark.parametrize("bad", ["2027-09-31", "2027-02-29", "2027-13-01", "2027-09-31T10:00", "2027-09-31 10:00"])
async def test_an_impossible_date_anywhere_is_one_line_per_field(tmp_path, bad):
    data = example_data()
    session_spec(data, "start")["starts"] = bad
    session_spec(data, "bestuurlijk")["ends"] = bad
    data["commitments"][0]["due"] = bad
    text = dump(data)
    path = tmp_path / "traject.yaml"
    path.write_text(text, encoding="utf-8")
    db = tmp_path / "bot.db"
    for command in ("check", "import"):
        result = await run_cli(command, str(path), env=cli_env(DATABASE_URL=f"sqlite:///{db}"), cwd=tmp_path)
        assert result.code == 2, result.both
        no_traceback(result)
        found = {(int(m["line"]), m["field"], m["message"]) for m in error_lines(result.err, str(path))}
        lines = [i for i, line in enumerate(text.splitlines(), 1) if bad in line]
        assert {(line, field) for line, field, _ in found} == set(zip(lines, [
            "sessions[0].starts", "sessions[1].ends", "commitments[0].due"]))
        for *_, message in found:
            assert message.startswith(f"De datum {bad} bestaat niet"), message
        assert "3 fouten gevonden. Er is niets opgeslagen." in result.out
        assert not db.exists()

    english = await run_cli("--lang", "en", "check", str(path), env=cli_env(), cwd=tmp_path)
    assert english.code == 2
    assert f"The date {bad} does not exist" in english.err


# --------------------------------------------------------------------------- YAML syntax


@pytest.mark.parametrize("mistake, find, words", [
    ("tab", "  title: ", "hier staat een tab"),
    ("quote", "question: ", "een aanhalingsteken gaat hier open"),
    ("mapping", "  title: ", "deze dubbele punt past hier niet"),
])
async def test_yaml_syntax_errors_in_dutch_at_the_right_line(tmp_path, mistake, find, words):
    text = example("hitteplan.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    line = line_of(text, find) if mistake != "quote" else max(i for i, x in enumerate(lines, 1) if find in x)
    if mistake == "tab":
        lines[line - 1] = "\t" + lines[line - 1].lstrip()
    elif mistake == "quote":
        lines[line - 1] = lines[line - 1].rstrip().removesuffix('"}') + "}"  # the last quote never closes
    else:
        lines[line - 1] = "  title: Hitteplan: versie 2"
    path = tmp_path / "kapot.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "bot.db"
    result = await run_cli("import", str(path), env=cli_env(DATABASE_URL=f"sqlite:///{db}"), cwd=tmp_path)
    assert result.code == 2, result.both
    no_traceback(result)
    first = result.err.splitlines()[0]
    assert first.startswith(f"{path}:{line}: De opmaak (YAML) klopt hier niet: "), first
    assert words in first
    for english in ("found", "expected", "scanning", "mapping values"):
        assert english not in first
    assert not db.exists()


# --------------------------------------------------------------------------- the file itself


async def test_a_folder_an_empty_file_and_not_utf8(tmp_path):
    empty = tmp_path / "leeg.yaml"
    empty.write_bytes(b"")
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("version: 1\ntrajectory:\n  title: Caf\u00e9\n".encode("latin-1"))
    cases = [
        (tmp_path, "Dit is een map, geen bestand."),
        (empty, "Het bestand is leeg."),
        (latin, "Het bestand is geen UTF-8-tekst. Sla het op als UTF-8."),
    ]
    db = tmp_path / "bot.db"
    for path, message in cases:
        for command in ("check", "import"):
            result = await run_cli(command, str(path), env=cli_env(DATABASE_URL=f"sqlite:///{db}"), cwd=tmp_path)
            assert result.code == 2, result.both
            no_traceback(result)
            assert message in result.err.splitlines()[0], result.err
            assert result.err.startswith(f"{path}:")
    assert not db.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway, and cannot hand the venv "
                    "(under /root) to another user; the mapping of PermissionError is the same code path")
async def test_an_unreadable_file(tmp_path):
    path = tmp_path / "geheim.yaml"
    path.write_text(example("hitteplan.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path.chmod(0)
    try:
        result = await run_cli("check", str(path), env=cli_env(), cwd=tmp_path)
    finally:
        path.chmod(0o644)
    assert result.code == 2
    no_traceback(result)
    assert "Je mag dit bestand niet lezen." in result.err


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize("name, value, nl, en", [
    ("PORT", "abc", "PORT moet een heel getal zijn, niet 'abc'.", "PORT must be a whole number, not 'abc'."),
    ("QUIET_HOURS", "9-17", "QUIET_HOURS moet de tijden zijn waarin de bot berichten stuurt",
     "QUIET_HOURS must be the hours in which the bot sends messages"),
    ("SCHEDULER_INTERVAL", "x", "SCHEDULER_INTERVAL moet een aantal seconden zijn", "SCHEDULER_INTERVAL must be a number"),
    ("DIALOOGBOT_NOW", "garbage", "DIALOOGBOT_NOW moet een moment zijn zoals 2027-02-01T09:00+01:00, niet 'garbage'.",
     "DIALOOGBOT_NOW must be a moment like"),
])
async def test_a_bad_setting_is_one_line_in_the_users_language(tmp_path, name, value, nl, en):
    db = tmp_path / "bot.db"
    env = cli_env(DATABASE_URL=f"sqlite:///{db}", **{name: value})
    dutch = await run_cli("db", "upgrade", env=env, cwd=tmp_path)
    assert dutch.code == 2, dutch.both
    no_traceback(dutch)
    assert dutch.err.strip().splitlines() == [dutch.err.strip()]
    assert dutch.err.startswith("Instelling klopt niet: " + nl), dutch.err
    english = await run_cli("--lang", "en", "check", str(example("hitteplan.yaml")), env=env, cwd=tmp_path)
    assert english.code == 2
    assert english.err.startswith("A setting is wrong: " + en), english.err
    assert not db.exists()


# --------------------------------------------------------------------------- the database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("url, message", [
    (UNREACHABLE_PG, "Kan de database op 127.0.0.1:1 niet bereiken: niemand neemt op. Draait PostgreSQL daar? "
                     "Controleer de host en de poort in DATABASE_URL."),
    (MISSING_FOLDER, "Kan de database /nonexistent/dir/x.db niet maken: de map /nonexistent/dir bestaat niet."),
])
async def test_a_database_that_cannot_be_reached(tmp_path, url, message):
    commands = [
        ("serve",),
        ("import", str(example("hitteplan.yaml"))),
        ("db", "upgrade"),
        ("export", "evaluations", "--session", "start"),
    ]
    for command in commands:
        result = await run_cli(*command, env=cli_env(DATABASE_URL=url, PORT=str(free_port())), cwd=tmp_path)
        assert result.code == 2, (command, result.both)
        no_traceback(result)
        assert message in result.err, (command, result.err)
        assert "u:p@" not in result.both  # never the password
    assert not os.path.exists("/nonexistent/dir")


async def test_a_port_in_use(tmp_path):
    db = tmp_path / "bot.db"
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = await run_cli("serve", env=cli_env(DATABASE_URL=f"sqlite:///{db}", PORT=str(port)), cwd=tmp_path)
    assert result.code == 2, result.both
    no_traceback(result)
    assert f"Poort {port} is al in gebruik" in result.err and "PORT" in result.err
    assert not db.exists()  # refused before anything started


# --------------------------------------------------------------------------- warnings and many errors


async def test_a_session_in_the_past_is_a_warning(database_url, tmp_path):
    # DIALOOGBOT_NOW: after the first session (2027-03-09), before the others.
    env = cli_env(DATABASE_URL=database_url, DIALOOGBOT_NOW="2027-04-01T09:00+02:00")
    path = str(example("hitteplan.yaml"))
    check = await run_cli("check", path, env=env, cwd=tmp_path)
    assert check.code == 0, check.both
    assert check.err.strip() == "Let op: de sessie start (2027-03-09 14:00) ligt in het verleden. Klopt de datum?"
    assert "in orde" in check.out
    imported = await run_cli("import", path, env=env, cwd=tmp_path)
    assert imported.code == 0, imported.both
    assert "de sessie start (2027-03-09 14:00) ligt in het verleden" in imported.err
    assert "bestuurlijk" not in imported.err and "doelen" not in imported.err
    assert await trajectory_count(database_url) == 1

    before = await run_cli("check", path, env=cli_env(DIALOOGBOT_NOW="2027-01-01T09:00+01:00"), cwd=tmp_path)
    assert before.code == 0 and "verleden" not in before.both


async def test_more_than_fifty_errors(database_url, tmp_path):
    data = example_data()
    data["organisations"] += [{"key": f"Fout {i}", "name": f"Org {i}"} for i in range(73)]
    path = tmp_path / "veel.yaml"
    path.write_text(dump(data), encoding="utf-8")
    result = await run_cli("import", str(path), env=cli_env(DATABASE_URL=database_url), cwd=tmp_path)
    assert result.code == 2
    no_traceback(result)
    assert len(error_lines(result.err, str(path))) == 50
    assert "... en nog 23 fouten." in result.err
    assert "73 fouten gevonden. Er is niets opgeslagen." in result.out
    assert await trajectory_count(database_url) == 0


# --------------------------------------------------------------------------- the last resort


async def test_an_unexpected_error_is_one_line_and_the_traceback_only_with_verbose(tmp_path):
    env = cli_env(TEAMS_APP_ID="00000000-0000-0000-0000-000000000001")
    out = str(tmp_path / "geen-map" / "app.zip")
    result = await run_cli("teams-manifest", "--out", out, env=env, cwd=tmp_path)
    assert result.code == 1
    assert "Traceback" not in result.both
    [line] = result.err.strip().splitlines()
    assert line.startswith("Er ging iets mis: FileNotFoundError: ")
    assert line.endswith("Draai opnieuw met --verbose voor details.")
    verbose = await run_cli("--verbose", "teams-manifest", "--out", out, env=env, cwd=tmp_path)
    assert verbose.code == 1
    assert "Traceback (most recent call last)" in verbose.err
    assert verbose.err.strip().splitlines()[-1] == line
