"""Issue 12, point 4: "Betrokken houden" flags an organisation only when it was asked
something and has not reacted within 30 days, names what is waiting, never the
trekker's own organisation, and marks an organisation that joined less than 30 days
ago as "nieuw".  Five organisations in five states; Slack and Teams (e-mail:
test_mail_figures.py)."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import OutboxMessage
from tests.conftest import local
from tests.e2e.conftest import dump, example_data, full_text
from tests.e2e.test_memos import memo_dms, send_memo
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.harness import CHANNEL
from tests.teams_connector.server import card_inputs

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"
LINDE_BOARD = "bestuur@delinde.example"
GGD = "ambassadeur@ggd.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", GGD, LINDE, LINDE_BOARD, "ambassadeur@thuiszorg.example",
            "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]
START = "Startbijeenkomst lokaal hitteplan"


def without_welzijn() -> str:
    data = example_data()
    data["organisations"] = [o for o in data["organisations"] if o["key"] != "welzijn"]
    data["people"] = [p for p in data["people"] if p["organisation"] != "welzijn"]
    for session in data["sessions"]:
        orgs = session["invite"].get("organisations")
        if orgs:
            session["invite"]["organisations"] = [o for o in orgs if o != "welzijn"]
    return dump(data)


async def last_summary_data(ctx) -> dict:
    async with ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(OutboxMessage).where(OutboxMessage.template == "summary").order_by(OutboxMessage.id))).scalars().all()
    return rows[-1].data["engagement"]


async def test_slack_five_organisations_exactly_two_flagged_one_new(harness):
    """Gemeente (the trekker's own) never answers: not flagged.  GGD answered and read:
    not flagged.  De Linde answered the invitation but never read the memo: flagged for
    the memo.  Thuiszorg did neither: flagged for both.  Welzijn joined on 20 February:
    "nieuw"."""
    async def react(h) -> None:
        for email, answer in ((GGD, "Ik kom"), (LINDE, "Ik kan niet")):
            message = next(m for m in h.emu.dm(h.uid(email)) if "Uitnodiging" in (m.text or ""))
            await h.drv.click(h.uid(email), message, text=answer)
        await h.drv.click(h.uid(GGD), memo_dms(h, GGD)[0], text="Gelezen")

    await assert_two_flagged_one_new(harness, react)


async def assert_two_flagged_one_new(h, react, file=lambda text: text) -> None:
    """The five organisations' story; ``react(h)`` gives the reactions on 1 February
    (GGD says yes and reads the memo, De Linde says no) on the platform under test;
    ``file`` puts the people on that platform in the trajectory file."""
    h.clock.set(local(2027, 1, 4, 9, 0))  # the trajectory starts in January
    await h.import_example(text=file(without_welzijn()))
    h.clock.set(local(2027, 2, 1, 9, 0))  # the requests
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    await send_memo(h, memo_title="Lees mij")
    await react(h)
    h.clock.set(local(2027, 2, 20, 10, 0))
    await h.import_example(text=file(dump(example_data())))  # Stichting Welzijn joins
    h.clock.set(local(2027, 3, 2, 10, 0))  # 29 days after the requests: nothing yet
    await h.command(TREKKER, "status")
    await h.drain()
    found = await last_summary_data(h.ctx)
    assert found == {"waiting": [], "waiting_count": 0, "new": ["Stichting Welzijn Voorbeeldstad"]}
    h.clock.set(local(2027, 3, 4, 10, 0))  # 31 days
    await h.command(TREKKER, "status")
    await h.drain()
    found = await last_summary_data(h.ctx)
    assert [(o["name"], [(x["kind"], x["title"]) for x in o["items"]]) for o in found["waiting"]] == [
        ("Thuiszorg Aan Huis", [("invitation", START), ("memo", "Lees mij")]),
        ("Zorggroep De Linde", [("memo", "Lees mij")]),
    ]
    assert found["new"] == ["Stichting Welzijn Voorbeeldstad"]
    body = full_text([m for m in h.emu.messages("#hitteplan") if (m.text or "").startswith("Stand van zaken")][-1])
    assert "*Betrokken houden:* 2 organisaties reageerden 30 dagen niet op een vraag." in body
    assert f"• *Thuiszorg Aan Huis*: wacht nog op antwoord op de uitnodiging voor {START}; lezen van memo Lees mij" in body
    assert "• *Zorggroep De Linde*: wacht nog op lezen van memo Lees mij" in body
    assert "*Nieuw in het traject:* Stichting Welzijn Voorbeeldstad" in body
    assert "*GGD Regio Voorbeeld*: wacht" not in body and "*Gemeente Voorbeeldstad*: wacht" not in body


async def test_teams_signoff_and_commitment_requests_without_reaction(th):
    """A sign-off request De Linde agreed to and one Thuiszorg never answered; commitment
    reminders that nobody reacted to."""
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    r = await th.say(TREKKER, "ondertekenen")
    [form] = r.replies
    choices = {c["title"]: c["value"] for c in {i["id"]: i for i in card_inputs(form.card)}["sign_organisations"]["choices"]}
    await th.teams.execute(th.tid(TREKKER), form, "Versturen", {
        "sign_title": "SOK hitte", "sign_link": "https://docs.example/sok",
        "sign_organisations": ",".join([choices["Zorggroep De Linde"], choices["Thuiszorg Aan Huis"]]), "sign_deadline": "2027-06-30"})
    await th.drain()
    [request] = th.cards_with(LINDE_BOARD, "Ondertekenen:")
    await th.teams.execute(th.tid(LINDE_BOARD), request, "Akkoord namens Zorggroep De Linde")
    th.clock.set(local(2027, 4, 20, 9, 0))  # GGD's first commitment reminder (due 27 April)
    await th.tick()
    assert th.cards_with(GGD, "Afspraak van")
    th.clock.set(local(2027, 5, 21, 10, 0))
    await th.say(TREKKER, "status")
    await th.drain()
    found = await last_summary_data(th.ctx)
    flagged = {o["name"]: [x["kind"] for x in o["items"]] for o in found["waiting"]}
    # De Linde agreed, but its own commitment (reminded from 30 March) waits too; Thuiszorg's
    # commitment was first reminded on 4 May: less than 30 days ago.
    assert flagged == {"Thuiszorg Aan Huis": ["signoff"], "GGD Regio Voorbeeld": ["commitment"], "Zorggroep De Linde": ["commitment"]}
    post = [p for p in th.conn.in_conversation(CHANNEL) if p.thread is None and "Stand van zaken" in p.text][-1]
    assert "wacht nog op besluit over SOK hitte" in post.text
    assert "wacht nog op stand van afspraak Hitte-advies" in post.text


async def test_slack_many_quiet_organisations_the_first_named_the_rest_counted(harness):
    """Twenty organisations invited, nobody answers: the summary names fifteen and counts
    the others; the stored message keeps only what is shown."""
    from tests.e2e.test_summary import invite_many_organisations

    h = harness
    await invite_many_organisations(h, 21)
    h.clock.set(local(2027, 3, 4, 10, 0))  # 31 days later
    await h.command(TREKKER, "status")
    await h.drain()
    found = await last_summary_data(h.ctx)
    names = sorted(f"Organisatie {n} met een lange naam" for n in range(1, 21))  # Organisatie 0 is the trekker's own
    assert found["waiting_count"] == 20
    assert [o["name"] for o in found["waiting"]] == names[:15]
    assert all(o["items"] == [{"kind": "invitation", "title": START}] and o["more"] == 0 for o in found["waiting"])
    body = full_text([m for m in h.emu.messages("#hitteplan") if (m.text or "").startswith("Stand van zaken")][-1])
    assert "*Betrokken houden:* 20 organisaties reageerden 30 dagen niet op een vraag." in body
    assert all(f"• *{name}*" in body for name in names[:15]) and not any(f"• *{name}*" in body for name in names[15:])
    assert "En nog 5 organisaties die 30 dagen niet reageerden." in body
