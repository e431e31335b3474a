"""Signing the agreement (phase 3), end to end through the emulator."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import SignOffEvent, SignOffRequest
from tests.conftest import local

TREKKER = "trekker@voorbeeldstad.example"
LINDE_BOARD = "bestuur@delinde.example"
LINDE_AMB = "ambassadeur@delinde.example"
THUIS_BOARD = "bestuur@thuiszorg.example"
GGD = "ambassadeur@ggd.example"  # GGD has no bestuurder: its ambassador is asked
COLLEGA = "collega@voorbeeldstad.example"  # gemeente, deelnemer


def text_of(message) -> str:
    return "\n".join([message.text or ""] + [str(b) for b in message.blocks or []])


def requests_to(h, email: str) -> list:
    return [m for m in h.emu.dm(h.uid(email)) if "SOK hitte" in (m.text or "")]


async def start_round(h, organisations=("Zorggroep De Linde", "Thuiszorg Aan Huis", "GGD Regio Voorbeeld"), deadline="2027-03-01",
                      text: str | None = None):
    """Import (the example, or ``text``) and start a sign-off round from the Slack modal."""
    await h.import_example(text=text)
    await h.command(TREKKER, "ondertekenen")
    view = h.emu.open_views(h.uid(TREKKER))[-1]
    r = await h.drv.submit_view(
        h.uid(TREKKER), view,
        values={"sign_title": "SOK hitte", "sign_link": "https://example.org/sok", "sign_orgs": list(organisations), "sign_deadline": deadline},
    )
    assert r.json["response_action"] == "update", r.body_text
    await h.drain()
    return r


async def decisions(h) -> dict[int, tuple]:
    async with h.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(SignOffRequest))).scalars().all()
    return {r.organisation_id: (r.decision, r.decided_by_id, r.reason) for r in rows}


async def test_start_modal_validates_and_asks_the_right_people(harness):
    h = harness
    await h.import_example()
    r = await h.command(LINDE_AMB, "ondertekenen")
    assert "alleen een trekker" in h.reply(r)
    await h.command(TREKKER, "signoff")
    view = h.emu.open_views(h.uid(TREKKER))[-1]
    r = await h.drv.submit_view(
        h.uid(TREKKER), view, values={"sign_title": " ", "sign_link": "ftp://x", "sign_orgs": [], "sign_deadline": "2027-01-01"}
    )
    assert r.json["response_action"] == "errors"
    assert set(r.json["errors"]) == {"sign_title_block", "sign_link_block", "sign_orgs_block", "sign_deadline_block"}
    r = await h.drv.submit_view(
        h.uid(TREKKER), view,
        values={"sign_title": "SOK hitte", "sign_link": "https://example.org/sok", "sign_orgs": ["Zorggroep De Linde", "GGD Regio Voorbeeld", "Gemeente Voorbeeldstad"], "sign_deadline": "2027-03-01"},
    )
    assert r.json["response_action"] == "update"
    confirmation = str(r.json["view"]["blocks"])
    assert "3 organisaties" in confirmation and "Geen bestuurder of ambassadeur bij: Gemeente Voorbeeldstad" in confirmation
    await h.drain()
    assert len(requests_to(h, LINDE_BOARD)) == 1
    assert len(requests_to(h, GGD)) == 1
    assert requests_to(h, LINDE_AMB) == []  # De Linde has a bestuurder
    body = text_of(requests_to(h, LINDE_BOARD)[0])
    assert "Akkoord namens Zorggroep De Linde" in body and "Niet akkoord" in body and "Vraag stellen" in body
    assert "<https://example.org/sok|SOK hitte>" in body and "maandag 1 maart 2027" in body


async def test_decisions_authorisation_changes_and_deadline(harness):
    h = harness
    await start_round(h)
    message = requests_to(h, LINDE_BOARD)[0]
    # Someone outside the organisation: refused, nothing changes.
    for outsider in (GGD, COLLEGA, TREKKER):
        r = await h.drv.click(h.uid(outsider), message, text="Akkoord namens Zorggroep De Linde")
        assert r.status == 200
    assert all(d[0] == "pending" for d in (await decisions(h)).values())
    assert any("alleen een bestuurder of ambassadeur" in str(x) for x in h.emu.responses())
    # The bestuurder agrees: the message updates in place and says who.
    await h.drv.click(h.uid(LINDE_BOARD), message, text="Akkoord namens Zorggroep De Linde")
    await h.drain()
    updated = h.emu.message(message.channel, message.ts)
    assert "Akkoord namens Zorggroep De Linde*, door Bestuurder De Linde" in text_of(updated)
    # Declining needs a reason; the reason reaches the trekker (escaped).
    thuis = requests_to(h, THUIS_BOARD)[0]
    await h.drv.click(h.uid(THUIS_BOARD), thuis, text="Niet akkoord")
    view = h.emu.open_views(h.uid(THUIS_BOARD))[-1]
    r = await h.drv.submit_view(h.uid(THUIS_BOARD), view, values={"note": ""})
    assert r.json["response_action"] == "errors"
    reason = "Budget <!channel> & planning"
    r = await h.drv.submit_view(h.uid(THUIS_BOARD), view, values={"note": reason})
    assert r.status == 200 and not r.body_text
    await h.drain()
    told = [m for m in h.emu.dm(h.uid(TREKKER)) if "gaat niet akkoord" in text_of(m)]
    assert len(told) == 1 and "&lt;!channel&gt;" in text_of(told[0]) and "<!channel>" not in text_of(told[0])
    # A question goes to the trekker at once.
    ggd = requests_to(h, GGD)[0]
    await h.drv.click(h.uid(GGD), ggd, text="Vraag stellen")
    view = h.emu.open_views(h.uid(GGD))[-1]
    r = await h.drv.submit_view(h.uid(GGD), view, values={"note": "Geldt dit ook voor de regio?"})
    assert r.json["response_action"] == "update"
    await h.drain()
    assert any("Geldt dit ook voor de regio?" in text_of(m) for m in h.emu.dm(h.uid(TREKKER)))
    # The same organisation may change its decision until the deadline, not after.
    await h.drv.click(h.uid(THUIS_BOARD), h.emu.message(thuis.channel, thuis.ts), text="Akkoord namens Thuiszorg Aan Huis")
    h.clock.set(local(2027, 3, 2, 9, 0))
    await h.drv.click(h.uid(LINDE_BOARD), h.emu.message(message.channel, message.ts), text="Niet akkoord")
    assert h.emu.open_views(h.uid(LINDE_BOARD)) == []
    assert any("termijn voor dit besluit is voorbij" in str(x) for x in h.emu.responses())
    states = sorted(d[0] for d in (await decisions(h)).values())
    assert states == ["agreed", "agreed", "pending"]
    async with h.ctx.db.sessionmaker() as s:
        kinds = [e.kind for e in (await s.execute(select(SignOffEvent).order_by(SignOffEvent.id))).scalars()]
    assert kinds == ["agreed", "declined", "question", "agreed"]


async def test_reminders_7_and_2_days_before_to_undecided_organisations(harness):
    h = harness
    await start_round(h)  # deadline Monday 1 March
    await h.drv.click(h.uid(LINDE_BOARD), requests_to(h, LINDE_BOARD)[0], text="Akkoord namens Zorggroep De Linde")
    h.clock.set(local(2027, 2, 22, 9, 59))
    await h.tick()
    assert len(requests_to(h, THUIS_BOARD)) == 1
    h.clock.set(local(2027, 2, 22, 10, 0))  # 7 days before
    await h.tick()
    assert len(requests_to(h, THUIS_BOARD)) == 2 and len(requests_to(h, GGD)) == 2
    assert len(requests_to(h, LINDE_BOARD)) == 1  # decided: no reminder
    h.clock.set(local(2027, 2, 27, 10, 0))  # 2 days before is a Saturday: waits for Monday morning
    await h.tick()
    assert len(requests_to(h, THUIS_BOARD)) == 2
    h.clock.set(local(2027, 3, 1, 8, 0))
    await h.tick()
    assert len(requests_to(h, THUIS_BOARD)) == 3
    assert "nog geen besluit" in text_of(requests_to(h, THUIS_BOARD)[-1])


async def test_all_agreed_is_announced_once_and_shown_in_the_summary(harness):
    h = harness
    await start_round(h, organisations=("Zorggroep De Linde", "GGD Regio Voorbeeld"))
    await h.command(TREKKER, "status")
    await h.drain()
    summary = [m for m in h.emu.messages("#hitteplan") if (m.text or "").startswith("Stand van zaken")][-1]
    assert "0 van 2 organisaties akkoord" in text_of(summary)
    await h.drv.click(h.uid(LINDE_BOARD), requests_to(h, LINDE_BOARD)[0], text="Akkoord namens Zorggroep De Linde")
    await h.drv.click(h.uid(GGD), requests_to(h, GGD)[0], text="Akkoord namens GGD Regio Voorbeeld")
    await h.drv.click(h.uid(GGD), requests_to(h, GGD)[0], text="Akkoord namens GGD Regio Voorbeeld")
    await h.drain()
    announced = [m for m in h.emu.messages("#hitteplan") if "Iedereen is akkoord" in (m.text or "")]
    assert len(announced) == 1
    assert "GGD Regio Voorbeeld, Zorggroep De Linde" in text_of(announced[0])
    await h.command(TREKKER, "status")
    await h.drain()
    summary = [m for m in h.emu.messages("#hitteplan") if (m.text or "").startswith("Stand van zaken")][-1]
    assert "2 van 2 organisaties akkoord" in text_of(summary)


async def speaks_english(h, email: str) -> None:
    from bot.models import Person

    async with h.ctx.db.transaction() as s:
        for person in (await s.execute(select(Person).where(Person.email == email))).scalars():
            person.language = "en"


async def test_answers_are_in_the_language_of_the_person_who_acts(harness):
    h = harness
    await start_round(h)
    await speaks_english(h, GGD)
    await speaks_english(h, THUIS_BOARD)
    # Refused: in English for the English-speaking outsider.
    await h.drv.click(h.uid(GGD), requests_to(h, LINDE_BOARD)[0], text="Akkoord namens Zorggroep De Linde")
    assert any("only a board member or ambassador" in str(x) for x in h.emu.responses())
    assert all(d[0] == "pending" for d in (await decisions(h)).values())
    # The note form and its error, in English too.
    await h.drv.click(h.uid(THUIS_BOARD), requests_to(h, THUIS_BOARD)[0], text="Niet akkoord")
    view = h.emu.open_views(h.uid(THUIS_BOARD))[-1]
    assert "Why does your organisation not agree?" in str(view["blocks"]), view["blocks"]
    r = await h.drv.submit_view(h.uid(THUIS_BOARD), view, values={"note": "x" * 1001})
    assert r.json["response_action"] == "errors" and "at most 1000 characters" in str(r.json["errors"])
