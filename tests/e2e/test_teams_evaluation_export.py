"""The results' "Download als Excel" button in Teams, through the fake connector: the
trekker presses the button on the card the bot sent and gets the xlsx as an attachment
in the personal chat; anyone else is refused and nothing is sent."""

from __future__ import annotations

import base64
import io

from openpyxl import load_workbook
from sqlalchemy import select

from bot.models import OutboxMessage
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)

TREKKER = "trekker@voorbeeldstad.example"
GGD = "ambassadeur@ggd.example"
LINDE = "ambassadeur@delinde.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", GGD, LINDE, "bestuur@delinde.example", "ambassadeur@thuiszorg.example",
            "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BUTTON = "Download als Excel"


def xlsx_files(th, email: str) -> list[dict]:
    return [a for p in th.chat_with(email) for a in (p.attachments or []) if a.get("contentType") == XLSX]


async def answered(th):
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    for email in (LINDE, GGD):
        await th.teams.execute(th.tid(email), th.cards_with(email, "Uitnodiging:")[0], "Ik kom")
    await th.say(TREKKER, "evaluatie start")
    await th.drain()
    for email, rating, text in ((LINDE, "4", "Hitte, in de wijk"), (GGD, "2", "=SUM(A1)")):
        [prompt] = th.cards_with(email, "Hoe was Startbijeenkomst")
        await th.teams.execute(th.tid(email), prompt, "Evaluatie invullen")
        await th.teams.execute(th.tid(email), prompt, "Versturen", {"eval_q_waarde": rating, "eval_q_doelen": "0", "eval_q_risico": text})
    await th.say(TREKKER, "evaluatie start resultaten")
    await th.drain()
    [results] = th.cards_with(TREKKER, "Resultaten evaluatie")
    return results


async def test_the_trekker_gets_the_xlsx_in_the_personal_chat(th):
    results = await answered(th)
    assert BUTTON in [a["title"] for a in results.card["actions"]]
    assert "python -m bot" not in results.text

    r = await th.teams.execute(th.tid(LINDE), results, BUTTON)
    assert "alleen een trekker" in (r.message or "")
    await th.drain()
    async with th.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(OutboxMessage).where(OutboxMessage.key.like("eval-export:%")))).scalars().all() == []
    assert not xlsx_files(th, LINDE) and not xlsx_files(th, TREKKER)

    r = await th.teams.execute(th.tid(TREKKER), results, BUTTON)
    assert "als Excel-bestand in een direct bericht" in (r.message or "")
    await th.drain()
    [attachment] = xlsx_files(th, TREKKER)
    assert attachment["name"] == "evaluatie-start.xlsx"
    book = load_workbook(io.BytesIO(base64.b64decode(attachment["contentUrl"].split(",", 1)[1])))
    rows = [[c.value for c in row] for row in book["Antwoorden"].iter_rows()]
    assert rows[0][:5] == ["naam", "e-mail", "organisatie", "ingevuld", "gewijzigd"]
    assert [(r[0], r[5], r[7]) for r in rows[1:]] == [("Ambassadeur De Linde", 4, "Hitte, in de wijk"), ("Ambassadeur GGD", 2, "=SUM(A1)")]
    assert book["Antwoorden"].cell(row=3, column=8).data_type == "s", "text, never a formula"
