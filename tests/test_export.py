"""``python -m bot export evaluations --session KEY --format csv|xlsx``: the raw answers,
named forms with identities and anonymous forms without, text exactly as typed;
headers in the chosen language, CSV with ``;`` in Dutch and ``,`` in English."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from openpyxl import load_workbook

from bot import cli
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, AMB_WELZIJN, COLLEGA, TREKKER, cli_env, harness_env, run_cli
from tests.e2e.flows import anonymous_hitteplan, fill_in, invite_and_answer, jump, to_prompt_time
from tests.conftest import ROOT, local

FORMULA = '=HYPERLINK("https://evil.example","klik")'
HOSTILE = "<!channel> *hitte* & \"aanhalingstekens\", komma's\nen een tweede regel"


@pytest.fixture
def public_url() -> str:
    return "https://dialoog.example"  # calendar links, not files: faster


async def export(h, monkeypatch, tmp_path, *args: str) -> tuple[int, str, bytes | None]:
    """Run the CLI in a thread (its own event loop); returns (exit code, printed text, file)."""
    monkeypatch.setenv("DATABASE_URL", h.bot.settings.database_url)
    monkeypatch.setenv("DIALOOGBOT_NOW", h.clock.now().isoformat())  # the CLI runs on the harness clock
    output = tmp_path / "out.bin"
    argv = ["export", "evaluations", *args]
    if "--output" not in args:
        argv += ["--output", str(output)]
    stdout, stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    monkeypatch.setattr("sys.stdout", stdout)
    monkeypatch.setattr("sys.stderr", stderr)
    code = await asyncio.to_thread(cli.main, argv)
    monkeypatch.undo()
    stdout.flush()
    printed = stdout.buffer.getvalue().decode("utf-8") + stderr.getvalue()
    return code, printed, output.read_bytes() if output.exists() else None


def csv_rows(content: bytes, separator: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=separator))


async def named_evaluation(h) -> None:
    await h.import_example()
    await invite_and_answer(h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom", AMB_WELZIJN: "Misschien"})
    await to_prompt_time(h)
    await fill_in(h, AMB_LINDE, rating=4, choice="Deels", risico=FORMULA, nodig="+31 6 12345678")
    h.clock.advance(minutes=30)
    await fill_in(h, AMB_GGD, rating=2, choice="Ja", risico=HOSTILE)


async def test_csv_export_of_a_named_evaluation(harness, monkeypatch, tmp_path):
    h = harness
    await named_evaluation(h)
    code, printed, content = await export(h, monkeypatch, tmp_path, "--session", "start", "--format", "csv")
    assert code == 0, printed
    assert "2 antwoorden geschreven" in printed
    assert content.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    assert content.decode("utf-8-sig").startswith("naam;e-mail;"), "Dutch Excel expects ';'"
    rows = csv_rows(content)
    assert rows[0] == ["naam", "e-mail", "organisatie", "ingevuld", "gewijzigd", "waarde", "doelen", "risico", "nodig"]
    assert rows[1] == [
        "Ambassadeur De Linde", AMB_LINDE, "Zorggroep De Linde", "2027-03-09 16:45", "2027-03-09 16:45",
        "4", "Deels", "'" + FORMULA, "'+31 6 12345678",
    ]
    assert rows[2] == [
        "Ambassadeur GGD", AMB_GGD, "GGD Regio Voorbeeld", "2027-03-09 17:15", "2027-03-09 17:15", "2", "Ja", HOSTILE, "",
    ]
    assert len(rows) == 3, "who did not answer is not in the file"


async def test_xlsx_export_holds_the_text_exactly(harness, monkeypatch, tmp_path):
    h = harness
    await named_evaluation(h)
    target = tmp_path / "antwoorden.xlsx"
    # The real entry point, as a trekker would run it.
    result = await run_cli(
        "export", "evaluations", "--session", "start", "--format", "xlsx", "--output", str(target),
        env=harness_env(h), cwd=ROOT,
    )
    assert result.code == 0, result.both
    book = load_workbook(target)
    sheet = book["Antwoorden"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["naam", "e-mail", "organisatie"]
    assert values[1][0] == "Ambassadeur De Linde" and values[1][5:] == [4, "Deels", FORMULA, "+31 6 12345678"]
    assert sheet.cell(row=2, column=8).data_type == "s", "stored as text, never as a formula"
    assert values[1][3].strftime("%Y-%m-%d %H:%M") == "2027-03-09 16:45"
    assert values[2][7] == HOSTILE
    questions = [[c.value for c in row] for row in book["Vragen"].iter_rows()]
    assert questions[1][:3] == ["waarde", "rating", "Hoe waardevol vond je deze bijeenkomst?"]
    assert questions[2][4] == "Ja; Deels; Nee"


async def test_anonymous_export_has_no_identities_and_waits_for_the_threshold(harness, monkeypatch, tmp_path):
    h = harness
    await h.import_example(text=anonymous_hitteplan())
    await invite_and_answer(h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom", AMB_WELZIJN: "Ik kom", COLLEGA: "Ik kom"})
    await to_prompt_time(h)
    await fill_in(h, AMB_LINDE, rating=5, choice="Ja", risico="eerste")
    await fill_in(h, AMB_GGD, rating=1, choice="Nee", risico=FORMULA)

    code, printed, content = await export(h, monkeypatch, tmp_path, "--session", "start", "--format", "csv")
    assert code == 0
    assert "minder dan 3 antwoorden" in printed
    assert csv_rows(content) == [["waarde", "doelen", "risico", "nodig"]]

    await fill_in(h, AMB_WELZIJN, rating=3, choice="Deels", risico="derde")
    code, printed, content = await export(h, monkeypatch, tmp_path, "--session", "start", "--format", "csv")
    assert code == 0 and "staat nog open" in printed, printed
    assert csv_rows(content) == [["waarde", "doelen", "risico", "nodig"]], "nothing while the form is open"

    await jump(h, local(2027, 3, 16, 16, 31))  # closed
    code, printed, content = await export(h, monkeypatch, tmp_path, "--session", "start", "--format", "csv")
    assert code == 0 and "3 antwoorden geschreven" in printed and "geen namen" in printed
    rows = csv_rows(content)
    assert rows[0] == ["waarde", "doelen", "risico", "nodig"]
    assert sorted(rows[1:]) == sorted([["5", "Ja", "eerste", ""], ["1", "Nee", "'" + FORMULA, ""], ["3", "Deels", "derde", ""]])
    text = content.decode("utf-8-sig")
    for leak in ("Ambassadeur", "@", "2027", "De Linde"):
        assert leak not in text, leak

    code, printed, content = await export(h, monkeypatch, tmp_path, "--session", "start", "--format", "xlsx")
    book = load_workbook(io.BytesIO(content))
    cells = [[c.value for c in row] for row in book["Antwoorden"].iter_rows()]
    assert cells[0] == ["waarde", "doelen", "risico", "nodig"] and len(cells) == 4
    assert not any("Ambassadeur" in str(v) for row in cells for v in row)


async def test_export_says_what_is_wrong(harness, monkeypatch, tmp_path):
    h = harness
    await h.import_example()
    code, printed, _ = await export(h, monkeypatch, tmp_path, "--session", "onbekend")
    assert code == 2 and "De sessie onbekend ken ik niet" in printed
    code, printed, _ = await export(h, monkeypatch, tmp_path, "--session", "start")
    assert code == 2 and "nog niet geopend" in printed
    code, printed, _ = await export(h, monkeypatch, tmp_path, "--session", "start", "--format", "xlsx", "--output", "-")
    assert code == 2
    await h.command(TREKKER, "evaluatie start")
    code, printed, _ = await export(h, monkeypatch, tmp_path, "--session", "start", "--output", "-")
    assert code == 0 and printed.startswith("\ufeffnaam;e-mail")


async def test_english_export_uses_commas_and_english_headers(harness, monkeypatch, tmp_path):
    h = harness
    await named_evaluation(h)
    # --lang before the subcommand (global) or after it (the export's own): both work.
    for argv in (["--lang", "en", "export", "evaluations"], ["export", "evaluations", "--lang", "en"]):
        monkeypatch.setenv("DATABASE_URL", h.bot.settings.database_url)
        target = tmp_path / "answers.csv"
        stdout, stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
        monkeypatch.setattr("sys.stdout", stdout)
        monkeypatch.setattr("sys.stderr", stderr)
        code = await asyncio.to_thread(cli.main, argv + ["--session", "start", "--format", "csv", "--output", str(target)])
        monkeypatch.undo()
        stdout.flush()
        assert code == 0, stderr.getvalue()
        assert "2 answers written" in stdout.buffer.getvalue().decode()
        text = target.read_bytes().decode("utf-8-sig")
        assert text.startswith("name,e-mail,organisation,submitted,changed,waarde,doelen,risico,nodig\r\n"), text[:80]
        rows = csv_rows(target.read_bytes(), ",")
        assert rows[1][:3] == ["Ambassadeur De Linde", AMB_LINDE, "Zorggroep De Linde"] and rows[1][7] == "'" + FORMULA
        assert rows[2][7] == HOSTILE, "a comma, a quote and a newline survive"

    result = await run_cli(
        "--lang", "en", "export", "evaluations", "--session", "start", "--format", "xlsx", "--output", str(tmp_path / "a.xlsx"),
        env=harness_env(h), cwd=ROOT,
    )
    assert result.code == 0, result.both
    book = load_workbook(tmp_path / "a.xlsx")
    assert book.sheetnames == ["Answers", "Questions"]
    assert [c.value for c in book["Answers"][1]][:5] == ["name", "e-mail", "organisation", "submitted", "changed"]
    assert [c.value for c in book["Questions"][1]] == ["key", "type", "question", "scale", "options", "optional"]


async def test_export_help_tells_the_separator():
    result = await run_cli("export", "--help", env=cli_env(), cwd=ROOT)
    assert result.code == 0, result.both
    text = " ".join(result.both.split())
    assert "';' as separator with --lang nl" in text and "',' with --lang en" in text
