"""Teams end to end: a memo written in a card form, previewed, sent; *Gelezen*; who read it."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import MemoRecipient
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.server import card_inputs

TREKKER = "trekker@voorbeeldstad.example"
GGD = "ambassadeur@ggd.example"
LINDE = "ambassadeur@delinde.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", GGD, LINDE, "bestuur@delinde.example", "ambassadeur@thuiszorg.example",
            "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]
HOSTILE = "*Belangrijk*: lees dit.\n- punt een\n<at>Iedereen</at> [klik](https://evil.example) # kop"


async def ready(th):
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)


async def write_memo(th, **inputs):
    r = await th.say(TREKKER, "memo")
    [form] = r.replies
    values = {"memo_title": "Doel van het traject", "memo_body": HOSTILE, "memo_audience": "roles", "memo_roles": "ambassadeur"}
    values.update(inputs)
    await th.teams.execute(th.tid(TREKKER), form, "Bekijk voorbeeld", values)
    return form


async def test_memo_form_preview_send_and_read(th):
    await ready(th)
    form = await write_memo(th, memo_roles="")
    assert "Kies minstens één rol." in form.text  # checked on the server
    await th.teams.execute(th.tid(TREKKER), form, "Bekijk voorbeeld", {
        "memo_title": "Doel van het traject", "memo_body": HOSTILE, "memo_audience": "roles", "memo_roles": "ambassadeur"})
    assert "Voorbeeld." in form.text and "Gaat naar **4** mensen" in form.text
    assert [a["title"] for a in form.card["actions"]] == ["Versturen", "Aanpassen"]
    # Back to the form: filled in with the draft.
    await th.teams.execute(th.tid(TREKKER), form, "Aanpassen")
    inputs = {i["id"]: i for i in card_inputs(form.card)}
    assert inputs["memo_title"]["value"] == "Doel van het traject" and inputs["memo_roles"]["value"] == "ambassadeur"
    await th.teams.execute(th.tid(TREKKER), form, "Bekijk voorbeeld", {
        "memo_title": "Doel van het traject", "memo_body": HOSTILE, "memo_audience": "roles", "memo_roles": "ambassadeur"})
    # Someone else cannot send the trekker's draft.
    r = await th.teams.execute(th.tid(GGD), form, "Versturen")
    assert "niet jouw memo" in r.message
    await th.teams.execute(th.tid(TREKKER), form, "Versturen")
    assert "gaat naar 4 mensen" in form.text
    await th.drain()

    [memo] = th.cards_with(GGD, "Doel van het traject")
    text = memo.text
    assert "**Belangrijk**: lees dit." in text and "- punt een" in text  # the trekker's formatting
    assert "\\<at\\>Iedereen\\</at\\> \\[klik\\]\\(https://evil.example\\) \\# kop" in text  # nothing goes live
    assert [a["title"] for a in memo.card["actions"]] == ["Gelezen"]
    # Someone else's Gelezen: refused.
    r = await th.teams.execute(th.tid(LINDE), memo, "Gelezen")
    assert r.message == "Deze memo is niet aan jou gestuurd."
    r = await th.teams.execute(th.tid(GGD), memo, "Gelezen")
    assert "Gelezen op" in memo.text and "actions" not in memo.card
    async with th.ctx.db.sessionmaker() as s:
        read = (await s.execute(select(MemoRecipient).where(MemoRecipient.read_at.is_not(None)))).scalars().all()
    assert len(read) == 1

    # The trekker asks who has read it.
    r = await th.say(TREKKER, "memo gelezen")
    assert "Wie heeft de memo gelezen?" in r.text and "gelezen door **1** van 4" in r.text
    [sent] = th.cards_with(TREKKER, "Memo verstuurd:")
    r = await th.teams.execute(th.tid(TREKKER), sent, "Wie heeft gelezen?")
    assert "gelezen door **1** van 4" in r.text
    r = await th.say(GGD, "memo")
    assert "dit mag alleen een trekker" in r.text
