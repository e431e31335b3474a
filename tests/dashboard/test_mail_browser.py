"""A real browser for a trekker on e-mail: headless Chromium (Selenium) opens the page
"Wat wacht er op mij" from the trekker's invitation mail in the SMTP sink, presses
"Stuur me een inloglink voor het dashboard", opens the sign-in link from the next mail,
sees the timeline and the commitments, reminds the non-responders (on e-mail too: the
reminders arrive in the sink), and finds the link refused when used again and when it
has expired (the clock moved).  axe-core: no serious or critical WCAG 2.1 A/AA violation
on any of these pages at 360 px.  Skipped without Chromium or axe-core unless
``REQUIRE_BROWSER=1``."""

from __future__ import annotations

import asyncio

import pytest

from tests.dashboard.helpers import PAGE, rows
from tests.dashboard.mail_steps import (  # noqa: F401  (fixtures)
    extra_env, invited, mine_link, sign_in_link, sign_in_mails, smtp, unknown_emails,
)
from tests.dashboard.test_browser import _press, axe, driver  # noqa: F401  (the fixture)
from tests.e2e.conftest import START_INVITEES, TREKKER

REMINDED = "we hebben nog geen antwoord van je"


@pytest.fixture
def dashboard_host() -> str:
    return "localhost"  # Chromium keeps a Secure cookie over plain http only for localhost


def ask_for_the_link(browser, mine: str) -> dict:
    problems = {}
    browser.get(mine)
    problems["Wat wacht er op mij"] = axe(browser)
    _press(browser, "form input[name=dashboard] ~ p button[type=submit]")
    landed = browser.find_element("tag name", "main").text
    problems["mail on its way"] = axe(browser)
    return {"landed": landed, "problems": problems}


def sign_in_and_remind(browser, link: str, base: str) -> dict:
    from selenium.webdriver.support.ui import Select

    problems = {}
    browser.get(link)
    problems["sign-in page"] = axe(browser)
    _press(browser, "form button[type=submit]")
    seen = browser.find_element("tag name", "main").text
    problems["dashboard"] = axe(browser)
    form = browser.find_element("css selector", "form[action$='/actie/herinneren']")
    Select(form.find_element("tag name", "select")).select_by_value("start")
    _press(browser, "form[action$='/actie/herinneren'] button")
    result = browser.find_element("tag name", "main").text
    problems["result"] = axe(browser)
    return {"url": browser.current_url, "seen": seen, "result": result, "problems": problems}


def refused(browser, link: str, name: str) -> dict:
    browser.get(link)
    return {"text": browser.find_element("tag name", "main").text, "problems": {name: axe(browser)}}


async def test_a_trekker_on_email_signs_in_from_the_mail_and_reminds_by_mail(dash, driver, smtp):
    h = dash.h
    await invited(dash)
    asked = await asyncio.to_thread(ask_for_the_link, driver, mine_link(dash, smtp, TREKKER))
    assert "De mail met je inloglink is onderweg" in asked["landed"]
    await h.drain()
    [mail] = sign_in_mails(smtp)
    link = sign_in_link(mail)

    before = {email: len(smtp.to(email)) for email in START_INVITEES}
    out = await asyncio.to_thread(sign_in_and_remind, driver, link, dash.base)
    assert PAGE in out["url"]
    assert "Startbijeenkomst lokaal hitteplan" in out["seen"] and "Bestuurlijke bijeenkomst hitteplan" in out["seen"]
    assert "Zorggroep De Linde" in out["seen"]  # commitments per organisation
    assert "Herinnering voor Startbijeenkomst lokaal hitteplan gestuurd aan" in out["result"]
    await h.drain()
    assert len(await rows(dash, "rsvp_reminder")) == len(START_INVITEES)
    for email in START_INVITEES:  # every invitee is on e-mail: the reminder is in the sink
        new = smtp.to(email)[before[email]:]
        assert any(REMINDED in part.get_content() for m in new for part in m.walk() if part.get_content_type() == "text/plain"), email

    again = await asyncio.to_thread(refused, driver, link, "link used again")
    assert "Deze inloglink is al gebruikt" in again["text"]

    # A second link, left for 16 minutes: expired.
    h.clock.advance(minutes=5)  # one mail per five minutes
    await asyncio.to_thread(ask_for_the_link, driver, mine_link(dash, smtp, TREKKER))
    await h.drain()
    later = sign_in_link(sign_in_mails(smtp)[-1])
    assert later != link
    h.clock.advance(minutes=16)
    late = await asyncio.to_thread(refused, driver, later, "link expired")
    assert "Deze inloglink is verlopen" in late["text"]

    problems = {k: v for part in (asked, out, again, late) for k, v in part["problems"].items() if v}
    assert problems == {}, problems
