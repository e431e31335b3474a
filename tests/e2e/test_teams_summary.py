"""Teams end to end: the phase-status summary with its chart in the Teams channel (next
to Slack), ``fase <n>`` as a card form, and the sign-off flow with its decision buttons."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image
from sqlalchemy import select

from bot.models import PhaseTransition, Trajectory
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.harness import CHANNEL
from tests.teams_connector.server import card_inputs

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere

TREKKER = "trekker@voorbeeldstad.example"
GGD = "ambassadeur@ggd.example"
LINDE = "ambassadeur@delinde.example"
LINDE_BOARD = "bestuur@delinde.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", GGD, LINDE, LINDE_BOARD, "ambassadeur@thuiszorg.example",
            "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]


@pytest.fixture
def slack_emails():
    return {TREKKER}  # the trekker is in Slack too: the summary goes to #hitteplan as well


async def ready(th):
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)


def channel_posts(th):
    return [p for p in th.conn.in_conversation(CHANNEL) if p.thread is None and not p.reply_to]


async def test_summary_and_chart_in_the_teams_channel_counting_everyone(th):
    await ready(th)
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    await th.teams.execute(th.tid(LINDE), th.cards_with(LINDE, "Uitnodiging:")[0], "Ik kom")
    r = await th.say(GGD, "status")
    assert "alleen een trekker" in r.text
    r = await th.say(TREKKER, "status")
    assert "#hitteplan" in r.text and CHANNEL in r.text.replace("\\", "")
    await th.drain()
    [post] = [p for p in channel_posts(th) if "Stand van zaken" in p.text]
    assert "Stand van zaken: Lokaal hitteplan Voorbeeldstad" in post.text
    assert "1 komen, 0 misschien, 0 niet, 5 nog geen antwoord." in post.text  # whoever answered where
    titles = [a["title"] for a in post.card["actions"]]
    assert titles == ["Herinner wie nog niet reageerde", "Herinneringsronde afspraken"]
    # The chart: an image in the summary's thread, small enough for Teams.
    [chart] = [p for p in th.conn.in_conversation(CHANNEL) if p.thread == post.activity_id]
    [attachment] = chart.attachments
    assert attachment["contentType"] == "image/png"
    image = Image.open(io.BytesIO(base64.b64decode(attachment["contentUrl"].split(",", 1)[1])))
    assert image.format == "PNG" and image.width > 100
    # Slack got it too.
    assert [m for m in th.emu.messages("#hitteplan") if (m.text or "").startswith("Stand van zaken")]
    # The summary's buttons: trekkers only.
    r = await th.teams.execute(th.tid(GGD), post, titles[-1])
    assert "alleen een trekker" in r.message
    r = await th.teams.execute(th.tid(TREKKER), post, titles[-1])
    assert r.message and "Herinneringsronde" in r.message
    r = await th.teams.execute(th.tid(TREKKER), post, titles[0])
    assert "gestuurd aan 5 mensen" in r.message
    await th.drain()
    assert th.cards_with(GGD, "we hebben nog geen antwoord van je")


async def test_phase_form_in_teams(th):
    await ready(th)
    r = await th.say(GGD, "fase 3")
    assert "alleen een trekker" in r.text
    r = await th.say(TREKKER, "fase 3")
    [form] = r.replies
    assert {i["id"] for i in card_inputs(form.card)} == {"phase_reached", "phase_note"}
    await th.teams.execute(th.tid(TREKKER), form, "Bevestigen", {"phase_note": "x" * 1001})
    assert "Kies ja, deels of nee." in form.text and "hooguit 1000 tekens" in form.text
    r = await th.teams.execute(th.tid(GGD), form, "Bevestigen", {"phase_reached": "yes"})
    assert "alleen een trekker" in r.message
    await th.teams.execute(th.tid(TREKKER), form, "Bevestigen", {"phase_reached": "partly", "phase_note": "*Bijna* klaar"})
    assert "is nu in fase 3" in form.text
    async with th.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(Trajectory))).scalar_one().current_phase == 3
        assert len((await s.execute(select(PhaseTransition))).scalars().all()) == 1
    await th.drain()
    [announcement] = [p for p in channel_posts(th) if "Nieuwe fase" in p.text]
    assert "\\*Bijna\\* klaar" in announcement.text


async def test_signoff_flow_in_teams(th):
    await ready(th)
    r = await th.say(LINDE, "ondertekenen")
    assert "alleen een trekker" in r.text
    r = await th.say(TREKKER, "ondertekenen")
    [form] = r.replies
    inputs = {i["id"]: i for i in card_inputs(form.card)}
    assert set(inputs) == {"sign_title", "sign_link", "sign_organisations", "sign_deadline"}
    linde = next(c["value"] for c in inputs["sign_organisations"]["choices"] if c["title"] == "Zorggroep De Linde")
    await th.teams.execute(th.tid(TREKKER), form, "Versturen", {"sign_title": "", "sign_link": "javascript:alert(1)",
                                                                 "sign_organisations": "", "sign_deadline": "2027-01-01"})
    assert "Vul de titel van het document in." in form.text and "begint met https://" in form.text
    await th.teams.execute(th.tid(TREKKER), form, "Versturen", {"sign_title": "Hitteplan [definitief]", "sign_link": "https://docs.example/plan",
                                                                 "sign_organisations": linde, "sign_deadline": "2027-03-01"})
    assert "Verzoek om te tekenen verstuurd" in form.text, form.text
    await th.drain()
    # The request goes to the organisation's bestuurder.
    assert th.cards_with(LINDE, "Ondertekenen:") == []
    [request] = th.cards_with(LINDE_BOARD, "Ondertekenen:")
    assert "Hitteplan \\[definitief\\]" in request.text
    titles = [a["title"] for a in request.card["actions"]]
    assert titles[:3] == ["Akkoord namens Zorggroep De Linde", "Niet akkoord", "Vraag stellen"]
    assert request.card["actions"][3] == {"type": "Action.OpenUrl", "title": "Hitteplan [definitief]", "url": "https://docs.example/plan"}
    # Not someone of another organisation.
    r = await th.teams.execute(th.tid(GGD), request, "Akkoord namens Zorggroep De Linde")
    assert "alleen een bestuurder of ambassadeur van die organisatie" in r.message
    # A question goes to the trekker at once.
    await th.teams.execute(th.tid(LINDE_BOARD), request, "Vraag stellen")
    await th.teams.execute(th.tid(LINDE_BOARD), request, "Versturen", {"sign_note": "Wat kost het?"})
    assert "doorgestuurd naar de trekker" in request.text
    await th.drain()
    assert th.cards_with(TREKKER, "Wat kost het?")
    # A decline needs a reason; cancel shows the request again.
    request.activity = request.history[0]
    await th.teams.execute(th.tid(LINDE_BOARD), request, "Niet akkoord")
    await th.teams.execute(th.tid(LINDE_BOARD), request, "Versturen", {"sign_note": " "})
    assert "Vul hier iets in." in request.text
    await th.teams.execute(th.tid(LINDE_BOARD), request, "Annuleren")
    assert "Nog geen besluit." in request.text
    await th.teams.execute(th.tid(LINDE_BOARD), request, "Akkoord namens Zorggroep De Linde")
    assert "Akkoord namens Zorggroep De Linde**, door Bestuurder De Linde" in request.text
    await th.drain()
    assert [p for p in channel_posts(th) if "Iedereen is akkoord" in p.text]


async def test_signoff_answers_in_the_language_of_the_person_who_acts(th):
    from bot.models import Person

    await ready(th)
    r = await th.say(TREKKER, "ondertekenen")
    [form] = r.replies
    linde = next(c["value"] for c in {i["id"]: i for i in card_inputs(form.card)}["sign_organisations"]["choices"] if c["title"] == "Zorggroep De Linde")
    await th.teams.execute(th.tid(TREKKER), form, "Versturen", {"sign_title": "Plan", "sign_link": "https://docs.example/plan",
                                                                 "sign_organisations": linde, "sign_deadline": "2027-03-01"})
    await th.drain()
    [request] = th.cards_with(LINDE_BOARD, "Ondertekenen:")
    async with th.ctx.db.transaction() as s:
        for person in (await s.execute(select(Person).where(Person.email.in_([GGD, LINDE_BOARD])))).scalars():
            person.language = "en"
    r = await th.teams.execute(th.tid(GGD), request, "Akkoord namens Zorggroep De Linde")
    assert "only a board member or ambassador of that organisation" in r.message
    await th.teams.execute(th.tid(LINDE_BOARD), request, "Niet akkoord")
    assert "Why does your organisation not agree?" in request.text
    await th.teams.execute(th.tid(LINDE_BOARD), request, "Send", {"sign_note": " "})
    assert "Please fill this in." in request.text, request.text
