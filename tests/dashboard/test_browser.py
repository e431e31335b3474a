"""A real browser on the dashboard: headless Chromium (Debian ``chromium`` and
``chromium-driver``) through Selenium signs in with the link from Slack, sees the
timeline and the commitments, reminds the non-responders by keyboard, and axe-core
(``npm install -g axe-core@4``) finds no serious or critical WCAG 2.1 A/AA violation
on any dashboard page, at a phone's 360 px width.

Skipped with the reason when Chromium, its driver or axe-core is missing, unless
``REQUIRE_BROWSER=1`` (CI): then it fails.  The Selenium calls run in a thread so the
bot's test server keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.browser import AXE_RUN, WCAG, chromium
from tests.dashboard.conftest import link_for
from tests.dashboard.helpers import PAGE, rows
from tests.e2e.conftest import AMB_GGD, TREKKER, invitations_to, messages_containing

@pytest.fixture
def dashboard_host() -> str:
    return "localhost"  # Chromium keeps a Secure cookie over plain http only for localhost


@pytest.fixture
def driver():
    with chromium("dialoogbot-dashboard-") as browser:
        # A phone's viewport (a headless window cannot be narrower than about 500 px).
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 360, "height": 800, "deviceScaleFactor": 1, "mobile": True})
        yield browser


def axe(browser) -> list[dict]:
    """Serious and critical violations on the open page, plus a page wider than the phone."""
    browser.execute_script(browser.axe_source)
    found = [v for v in browser.execute_async_script(AXE_RUN, WCAG) if v["impact"] in ("serious", "critical")]
    width = browser.execute_script("return document.documentElement.scrollWidth")
    if width > 380:
        found.append({"id": "too-wide", "impact": "serious", "help": f"{width}px wide at 360px", "nodes": [browser.current_url]})
    return found


def _left(old):
    """The page of ``old`` is gone.  Mid-navigation Chromium may answer "node does not
    belong to the document" instead of "stale element": both mean it left."""
    from selenium.common.exceptions import WebDriverException

    def check(_browser) -> bool:
        try:
            old.is_enabled()
        except WebDriverException:
            return True
        return False

    return check


def _press(browser, css: str) -> None:
    """Focus the control and press Enter (the keyboard, not the mouse); wait for the next page."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element("tag name", "html")
    element = browser.find_element("css selector", css)
    browser.execute_script("arguments[0].focus()", element)
    element.send_keys(Keys.ENTER)
    WebDriverWait(browser, 20).until(_left(old))
    WebDriverWait(browser, 20).until(ec.presence_of_element_located(("tag name", "main")))


def sign_in_and_remind(browser, link: str, base: str) -> dict:
    from selenium.webdriver.support.ui import Select

    problems: dict[str, list] = {}
    browser.get(link)
    problems["sign-in page"] = axe(browser)
    _press(browser, "form button[type=submit]")
    seen = browser.find_element("tag name", "main").text
    problems["dashboard"] = axe(browser)
    if os.environ.get("DASHBOARD_SCREENSHOT"):  # for a person to look at: a full-page picture
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 360, "height": min(height, 4000), "deviceScaleFactor": 1, "mobile": True})
        browser.save_screenshot(os.environ["DASHBOARD_SCREENSHOT"])
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 360, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    for form in ("formulier/afspraak", "formulier/memo", "formulier/fase?naar=3", "formulier/ondertekenen", "evaluatie/start"):
        browser.get(f"{base}{PAGE}/{form}")
        problems[form] = axe(browser)
    browser.get(f"{base}{PAGE}/formulier/memo")
    browser.find_element("id", "titel").send_keys(" ")  # blank (the browser only checks "required")
    browser.find_element("id", "tekst").send_keys(" ")
    _press(browser, "form[action$='/actie/memo-voorbeeld'] button[type=submit]")
    assert 'aria-invalid="true"' in browser.page_source  # the use case's problems next to the fields
    problems["memo problems"] = axe(browser)
    browser.find_element("id", "titel").send_keys("Verslag")
    browser.find_element("id", "tekst").send_keys("Dank voor jullie komst.")
    _press(browser, "form[action$='/actie/memo-voorbeeld'] button[type=submit]")
    problems["memo preview"] = axe(browser)
    browser.get(f"{base}{PAGE}")
    form = browser.find_element("css selector", "form[action$='/actie/herinneren']")
    Select(form.find_element("tag name", "select")).select_by_value("start")
    _press(browser, "form[action$='/actie/herinneren'] button")
    result = browser.find_element("tag name", "main").text
    problems["result"] = axe(browser)
    browser.get(f"{base}/dashboard/ander-traject")
    problems["403"] = axe(browser)
    return {"seen": seen, "result": result, "problems": {k: v for k, v in problems.items() if v}}


async def test_sign_in_see_the_picture_and_remind_in_a_real_browser(dash, driver):
    h = dash.h
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    assert invitations_to(h.emu, h.uid(AMB_GGD))
    link = await link_for(dash, TREKKER)
    out = await asyncio.to_thread(sign_in_and_remind, driver, link, dash.base)
    assert "Startbijeenkomst lokaal hitteplan" in out["seen"]  # the timeline
    assert "Bestuurlijke bijeenkomst hitteplan" in out["seen"]
    assert "Zorggroep De Linde" in out["seen"]  # commitments per organisation
    assert "Herinnering voor Startbijeenkomst lokaal hitteplan gestuurd aan" in out["result"]
    assert out["problems"] == {}, out["problems"]
    await h.drain()
    assert len(await rows(dash, "rsvp_reminder")) == 6
    assert messages_containing(h.emu, h.uid(AMB_GGD), "we hebben nog geen antwoord van je")


def mark_attendance(browser, link: str) -> dict:
    """From the timeline to "Wie was er?", untick one yes-sayer by keyboard, save."""
    from selenium.webdriver.common.keys import Keys

    problems: dict[str, list] = {}
    browser.get(link)
    _press(browser, "form button[type=submit]")
    _press(browser, "a[href$='/formulier/aanwezigheid?sessie=start']")
    problems["attendance form"] = axe(browser)
    ticked = browser.find_elements("css selector", "input[name=aanwezig]:checked")
    browser.execute_script("arguments[0].focus()", ticked[0])
    ticked[0].send_keys(Keys.SPACE)
    _press(browser, "form[action$='/actie/aanwezigheid'] button[type=submit]")
    problems["attendance saved"] = axe(browser)
    return {"result": browser.find_element("tag name", "main").text, "problems": {k: v for k, v in problems.items() if v}}


async def test_mark_attendance_in_a_real_browser(dash, driver):
    from tests.conftest import local
    from tests.e2e.flows import invite_and_answer

    h = dash.h
    await h.import_example()
    await invite_and_answer(h, {AMB_GGD: "Ik kom", "ambassadeur@delinde.example": "Ik kom"})
    h.clock.set(local(2027, 3, 9, 16, 30))
    out = await asyncio.to_thread(mark_attendance, driver, await link_for(dash, TREKKER))
    assert "Opgeslagen: 1 van de 6 genodigden waren er." in out["result"]
    assert out["problems"] == {}, out["problems"]
