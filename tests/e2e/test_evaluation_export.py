"""The results' "Download als Excel" button in Slack: a signed click on the button the
bot sent, then an xlsx uploaded (file upload v2) into the trekker's DM, built at send
time from the database; trekkers only; anonymous forms without identities and only
once the results may be seen."""

from __future__ import annotations

import io
import json
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import select

from bot.models import OutboxMessage
from tests.conftest import local
from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    AMB_WELZIJN,
    COLLEGA,
    TREKKER,
    bot_messages,
    button_labels,
    files_in_dm,
    full_text,
    reply_text,
)
from tests.e2e.flows import anonymous_hitteplan, fill_in, invite_and_answer, jump, to_prompt_time

BUTTON = "Download als Excel"


def results_to(h, email: str = TREKKER) -> list:
    return [m for m in bot_messages(h.emu, h.uid(email)) if (m.text or "").startswith("Resultaten evaluatie")]


def cells(content: bytes, sheet: str = "Antwoorden") -> list[list]:
    book = load_workbook(io.BytesIO(content))
    return [[c.value for c in row] for row in book[sheet].iter_rows()]


def xlsx_in_dm(h, email: str = TREKKER) -> list[dict]:
    return [f for f in files_in_dm(h.emu, h.uid(email)) if f["filename"].endswith(".xlsx")]


def any_xlsx(h) -> bool:
    return any(f["completed"] and f["filename"].endswith(".xlsx") for f in h.emu.files.values())


async def export_rows(h) -> list[OutboxMessage]:
    async with h.ctx.db.sessionmaker() as s:
        return list((await s.execute(select(OutboxMessage).where(OutboxMessage.key.like("eval-export:%")).order_by(OutboxMessage.id))).scalars())


async def test_a_trekker_gets_the_answers_as_an_xlsx_in_the_dm(harness):
    h = harness
    await h.import_example()
    await invite_and_answer(h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom", AMB_WELZIJN: "Ik kom"})
    await to_prompt_time(h)
    await fill_in(h, AMB_LINDE, rating=4, choice="Deels", risico="=1+1 hitte")
    await fill_in(h, AMB_GGD, rating=2, choice="Ja", risico="Eenzame ouderen")
    await h.command(TREKKER, "evaluatie start resultaten")
    await h.drain()
    [results] = results_to(h)
    assert BUTTON in button_labels(results)
    assert "python -m bot" not in full_text(results), "no shell command for the trekker"

    # Someone who is not a trekker presses the button (a replayed click): refused, nothing sent.
    r = await h.drv.click(h.uid(AMB_LINDE), results, text=BUTTON)
    assert r.status == 200
    assert "alleen een trekker" in reply_text(h, r)
    await h.drain()
    assert await export_rows(h) == [] and not any_xlsx(h)

    r = await h.drv.click(h.uid(TREKKER), results, text=BUTTON)
    assert r.status == 200
    assert "als Excel-bestand in een direct bericht" in reply_text(h, r)
    # The file is built when it is sent: an answer that comes in meanwhile is in it.
    await fill_in(h, AMB_WELZIJN, rating=5, choice="Nee", risico="Hitte in de wijk")
    await h.drain()
    [upload] = xlsx_in_dm(h)
    assert upload["filename"] == "evaluatie-start.xlsx"
    assert upload["title"] == "Antwoorden evaluatie Startbijeenkomst lokaal hitteplan"
    assert "Excel-bestand" in upload["initial_comment"]
    rows = cells(upload["bytes"])
    assert rows[0] == ["naam", "e-mail", "organisatie", "ingevuld", "gewijzigd", "waarde", "doelen", "risico", "nodig"]
    assert [r[0] for r in rows[1:]] == ["Ambassadeur De Linde", "Ambassadeur GGD", "Ambassadeur Welzijn"]
    assert rows[1][1] == AMB_LINDE and rows[1][5:8] == [4, "Deels", "=1+1 hitte"]
    assert isinstance(rows[1][3], datetime)
    assert cells(upload["bytes"], "Vragen")[0][:3] == ["code", "soort", "vraag"]

    [row] = await export_rows(h)
    assert row.key.startswith("eval-export:") and row.key.endswith(":1") and row.op == "file" and row.status == "sent"
    stored = json.dumps(row.data)
    assert "Ambassadeur" not in stored and "Eenzame" not in stored, "the answers never sit in the outbox"

    # A second press gives a new file (a new key); a double press while one is on its way does not.
    await h.drv.click(h.uid(TREKKER), results, text=BUTTON)
    await h.drv.click(h.uid(TREKKER), results, text=BUTTON)
    await h.drain()
    assert len(xlsx_in_dm(h)) == 2
    assert [r.key.rsplit(":", 1)[1] for r in await export_rows(h)] == ["1", "2"]


async def test_anonymous_export_waits_for_closing_and_has_no_identities(harness):
    h = harness
    await h.import_example(text=anonymous_hitteplan())
    await invite_and_answer(h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom", AMB_WELZIJN: "Ik kom", COLLEGA: "Ik kom"})
    await to_prompt_time(h)
    for email, rating in ((AMB_LINDE, 5), (AMB_GGD, 1), (AMB_WELZIJN, 3)):
        await fill_in(h, email, rating=rating, choice="Ja", risico=f"tekst {rating}")
    await h.command(TREKKER, "evaluatie start resultaten")
    await h.drain()
    [early] = results_to(h)
    assert BUTTON not in button_labels(early), "no file while the results are hidden"

    await jump(h, local(2027, 3, 16, 16, 31))  # closed: the results go to the trekkers
    final = results_to(h)[-1]
    assert BUTTON in button_labels(final)
    r = await h.drv.click(h.uid(TREKKER), final, text=BUTTON)
    assert "als Excel-bestand in een direct bericht" in reply_text(h, r)
    await h.drain()
    [upload] = xlsx_in_dm(h)
    assert "anoniem" in upload["initial_comment"]
    rows = cells(upload["bytes"])
    assert rows[0] == ["waarde", "doelen", "risico", "nodig"]
    assert sorted(r[0] for r in rows[1:]) == [1, 3, 5]
    flat = [str(v) for row in rows for v in row]
    assert not any("Ambassadeur" in v or "@" in v or "2027" in v for v in flat)


async def test_below_the_threshold_there_is_no_button_and_a_click_is_refused(harness):
    h = harness
    await h.import_example(text=anonymous_hitteplan(threshold=4))
    await invite_and_answer(h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom", AMB_WELZIJN: "Ik kom", COLLEGA: "Ik kom"})
    await to_prompt_time(h)
    for email in (AMB_LINDE, AMB_GGD, AMB_WELZIJN):
        await fill_in(h, email, rating=3, choice="Ja", risico="x")
    await jump(h, local(2027, 3, 16, 16, 31))
    [results] = results_to(h)
    assert BUTTON not in button_labels(results)
    # A forged click with the evaluation's id (a button as an older message might have had it).
    async with h.ctx.db.sessionmaker() as s:
        row = (await s.execute(select(OutboxMessage).where(OutboxMessage.template == "evaluation_results"))).scalars().first()
    forged = {"blocks": results.blocks + [{"type": "actions", "block_id": "eval_results", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": BUTTON}, "action_id": "eval_export", "value": str(row.data["evaluation_id"])}
    ]}]}
    results.blocks = forged["blocks"]
    r = await h.drv.click(h.uid(TREKKER), results, text=BUTTON)
    assert "minder dan 4 antwoorden" in reply_text(h, r)
    await h.drain()
    assert await export_rows(h) == [] and not any_xlsx(h)
