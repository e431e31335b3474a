"""Downloads: commitments (xlsx), evaluation answers (xlsx, anonymity rules), the
calendar feed of all sessions (.ics)."""

from __future__ import annotations

import io
import re

from icalendar import Calendar
from openpyxl import load_workbook

from bot.calendar import session_uid
from tests.dashboard.helpers import PAGE, signed_in
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, AMB_THUISZORG, COLLEGA, HITTEPLAN
from tests.e2e.flows import anonymous_hitteplan, fill_in, invite_and_answer, to_prompt_time


def sheet(body: bytes):
    return load_workbook(io.BytesIO(body)).active


async def test_commitments_per_organisation_as_excel(dash, web):
    await dash.h.import_example()
    await signed_in(dash, web)
    got = await web.get(f"{PAGE}/afspraken.xlsx")
    assert got.status == 200 and "attachment" in got.headers["Content-Disposition"]
    ws = sheet(got.body)
    values = list(ws.values)
    assert values[0][0] == "Organisatie"
    assert len(values) == 4  # the example's three commitments
    assert {row[0] for row in values[1:]} >= {"Zorggroep De Linde", "Thuiszorg Aan Huis"}
    assert any("Hitteprotocol van De Linde" in row[3] for row in values[1:])


async def test_evaluation_answers_as_excel(dash, web):
    h = dash.h
    await h.import_example()
    assert (await web.get(f"{PAGE}/evaluatie/start.xlsx")).status == 403  # not signed in
    await invite_and_answer(h, {AMB_GGD: "Ik kom", AMB_LINDE: "Ik kom"})
    await to_prompt_time(h)
    await fill_in(h, AMB_GGD, rating=4, choice="Ja", risico="Oudere bewoners alleen thuis")
    await signed_in(dash, web)
    got = await web.get(f"{PAGE}/evaluatie/start.xlsx")
    assert got.status == 200, got.text[:800]
    rows = list(sheet(got.body).values)
    assert len(rows) == 2 and "Ambassadeur GGD" in rows[1]
    none = await web.get(f"{PAGE}/evaluatie/bestuurlijk.xlsx")
    assert none.status == 409 and "geen evaluatie" in none.text
    page = await web.get(PAGE)
    assert f'href="{PAGE}/evaluatie/start"' in page.text
    results = await web.get(f"{PAGE}/evaluatie/start")
    assert results.status == 200 and "Oudere bewoners alleen thuis" in results.text  # named form: with the name
    assert "Ambassadeur GGD" in results.text
    assert (await web.get(f"{PAGE}/evaluatie/bestuurlijk")).status == 404


async def test_anonymous_answers_follow_the_chat_rules(dash, web):
    h = dash.h
    await h.import_example(text=anonymous_hitteplan())
    await invite_and_answer(h, {AMB_GGD: "Ik kom", AMB_LINDE: "Ik kom", AMB_THUISZORG: "Ik kom", COLLEGA: "Ik kom"})
    await to_prompt_time(h)
    await fill_in(h, AMB_GGD, rating=4, choice="Ja", risico="Geheim antwoord een")
    await signed_in(dash, web)
    few = await web.get(f"{PAGE}/evaluatie/start.xlsx")
    assert few.status == 409 and "Traceback" not in few.text
    page = await web.get(PAGE)
    assert "Geheim antwoord een" not in page.text and "anoniem" in page.text
    results = await web.get(f"{PAGE}/evaluatie/start")
    assert results.status == 200 and "Geheim antwoord een" not in results.text
    assert "te zien vanaf 3 antwoorden" in results.text


async def test_the_calendar_feed_has_every_session(dash, web):
    await dash.h.import_example()
    await signed_in(dash, web)
    page = await web.get(PAGE)
    feed = re.search(r'value="(http[^"]+/dashboard/ics/[^"]+\.ics)"', page.text).group(1)
    web.cookie = None  # a calendar app has no cookie
    got = await web.get(feed)
    assert got.status == 200 and got.headers["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(got.body)
    assert str(cal["method"]) == "PUBLISH"
    uids = {str(e["uid"]) for e in cal.walk("VEVENT")}
    assert uids == {session_uid(HITTEPLAN, k) for k in ("start", "bestuurlijk", "doelen")}
    assert not any("attendee" in e for e in cal.walk("VEVENT"))
    forged = feed.rsplit("/", 1)[0] + "/1-0000.ics"
    assert (await web.get(forged)).status == 404
