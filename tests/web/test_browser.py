"""A real browser on the pages: headless Chromium (Debian ``chromium`` and
``chromium-driver``) through Selenium fills in the invitation and the evaluation by
keyboard only, and axe-core (``npm install -g axe-core@4``) finds no serious or
critical WCAG 2.1 A/AA violation on any page type, at a phone's 360 px width.

Skipped with the reason when Chromium, its driver or axe-core is missing, unless
``REQUIRE_BROWSER=1`` (CI), then those tests fail.  One browser for the module; the
Selenium calls run in a thread so the bot's test server keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import EvaluationResponse, Invitation
from bot.web.links import Grant
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, BESTUUR_LINDE, TREKKER, invitation_of
from tests.browser import AXE_RUN, WCAG, chromium
from tests.e2e.flows import invite_and_answer, to_prompt_time

@pytest.fixture(scope="module")
def browser():
    with chromium("dialoogbot-chromium-") as driver:
        yield Browser(driver, driver.axe_source)


@pytest.fixture
async def database_url(tmp_path, migrated_sqlite):
    """SQLite only: the browser is about the pages, the database tests run elsewhere."""
    target = tmp_path / "bot.db"
    shutil.copyfile(migrated_sqlite, target)
    yield f"sqlite:///{target}"


class Browser:
    """Selenium, called from a thread (it blocks; the test server shares our loop)."""

    def __init__(self, driver, axe_source: str):
        self.driver, self.axe_source = driver, axe_source

    async def run(self, fn, *args):
        return await asyncio.to_thread(fn, *args)

    async def open(self, url: str) -> None:
        await self.run(self.driver.get, url)

    async def press(self, *keys) -> None:
        def send():
            self.driver.switch_to.active_element.send_keys(*keys)
        await self.run(send)

    async def focused(self) -> str:
        return await self.run(lambda: self.driver.switch_to.active_element.get_attribute("id") or "")

    async def tab_to(self, element_id: str, limit: int = 40) -> None:
        """Tab through the page until ``element_id`` has the focus (as a keyboard user)."""
        from selenium.webdriver.common.keys import Keys

        for _ in range(limit):
            if await self.focused() == element_id:
                return
            await self.press(Keys.TAB)
        raise AssertionError(f"Tab never reached #{element_id}")

    async def title(self) -> str:
        return await self.run(lambda: self.driver.title)

    async def arrive(self, prefix: str) -> None:
        """Wait (in the thread) until the page whose title starts with ``prefix`` is loaded."""
        from selenium.webdriver.support.ui import WebDriverWait

        await self.run(lambda: WebDriverWait(self.driver, 15).until(lambda d: d.title.startswith(prefix)))

    async def violations(self) -> list[dict]:
        def check():
            if not self.driver.execute_script("return typeof axe !== 'undefined'"):
                self.driver.execute_script(self.axe_source)
            return self.driver.execute_async_script(AXE_RUN, WCAG)
        return await self.run(check)

    async def too_wide(self) -> bool:
        return await self.run(lambda: self.driver.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth"))


async def test_the_invitation_by_keyboard(site, browser):
    from selenium.webdriver.common.keys import Keys

    await site.h.command(TREKKER, "uitnodigen start")
    await site.h.drain()
    await browser.open(site.base + await site.link(AMB_GGD, "rsvp", await site.invitation(AMB_GGD)))
    assert (await browser.title()).startswith("Uitnodiging: Startbijeenkomst")
    await browser.tab_to("answer-1")  # the radio group: Ik kom
    assert await browser.run(lambda: browser.driver.execute_script(
        "return getComputedStyle(document.activeElement).outlineStyle")) == "solid"  # visible focus
    await browser.press(Keys.SPACE)
    await browser.tab_to("colleague")  # past the radios, on to the submit button
    await browser.press(Keys.TAB, Keys.TAB, Keys.TAB)
    assert (await browser.run(lambda: browser.driver.switch_to.active_element.tag_name)) == "button"
    await browser.press(Keys.ENTER)
    await browser.arrive("Opgeslagen")
    async with site.ctx.db.sessionmaker() as s:
        inv = await s.get(Invitation, await site.invitation(AMB_GGD))
    assert inv.status == "yes"


async def test_the_evaluation_by_keyboard(site, browser):
    from selenium.webdriver.common.keys import Keys

    await invite_and_answer(site.h, {AMB_GGD: "Ik kom"})
    await to_prompt_time(site.h)
    await browser.open(site.base + await site.link(AMB_GGD, "evaluation", await site.prompt(AMB_GGD)))
    await browser.tab_to("answer:waarde-1")
    await browser.press(Keys.SPACE)
    await browser.press(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)  # within the group: 4
    await browser.tab_to("answer:doelen-1")
    await browser.press(Keys.SPACE)  # Ja
    await browser.tab_to("answer:risico")
    await browser.press("Hitte in verpleeghuizen")
    await browser.tab_to("answer:nodig")
    await browser.press(Keys.TAB)
    assert (await browser.run(lambda: browser.driver.switch_to.active_element.tag_name)) == "button"
    await browser.press(Keys.ENTER)
    await browser.arrive("Opgeslagen")
    async with site.ctx.db.sessionmaker() as s:
        [row] = (await s.execute(select(EvaluationResponse))).scalars().all()
    assert row.answers == {"waarde": 4, "doelen": "Ja", "risico": "Hitte in verpleeghuizen"}


async def test_who_came_by_keyboard(site, browser):
    from selenium.webdriver.common.keys import Keys

    await invite_and_answer(site.h, {AMB_GGD: "Ik kom", AMB_LINDE: "Ik kan niet"})
    await to_prompt_time(site.h)
    session_id = (await invitation_of(site.h, "start", TREKKER)).session_id
    await browser.open(site.base + await site.link(TREKKER, "attendance", session_id))
    assert (await browser.title()).startswith("Wie was er bij Startbijeenkomst")
    names = await browser.run(lambda: [e.text for e in browser.driver.find_elements("css selector", "fieldset label")])
    linde = "present-" + str(names.index("Ambassadeur De Linde (Zorggroep De Linde)") + 1)
    ggd = "present-" + str(names.index("Ambassadeur GGD (GGD Regio Voorbeeld)") + 1)
    await browser.tab_to(ggd)
    await browser.press(Keys.SPACE)  # GGD said yes but did not come
    await browser.tab_to(linde)
    await browser.press(Keys.SPACE)  # De Linde said no but came
    await browser.press(Keys.ENTER)  # Enter in a form sends it
    await browser.arrive("Opgeslagen")
    assert (await invitation_of(site.h, "start", AMB_LINDE)).attended is True
    assert (await invitation_of(site.h, "start", AMB_GGD)).attended is False


async def pages_to_check(site) -> dict[str, str]:
    await site.send_memo()
    await site.start_signoff(deadline="2027-04-01")
    await invite_and_answer(site.h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom"})
    await to_prompt_time(site.h)
    await site.h.command(TREKKER, "uitnodigen doelen")
    await site.h.drain()
    ggd = await site.person(AMB_GGD)
    stale = "/p/" + site.ctx.links.token(Grant(ggd.id, "mine", None, site.ctx.now() - timedelta(days=1)))
    rsvp = await site.link(AMB_GGD, "rsvp", await site.invitation(AMB_GGD, "doelen"))
    return {
        "rsvp": rsvp,
        "memo": await site.link(AMB_GGD, "memo", await site.recipient(AMB_GGD)),
        "commitment": await site.link(AMB_GGD, "commitment", await site.commitment("ggd-advies")),
        "evaluation": await site.link(AMB_GGD, "evaluation", await site.prompt(AMB_GGD)),
        "signoff": await site.link(BESTUUR_LINDE, "signoff", await site.signoff_request("linde")),
        "attendance": await site.link(TREKKER, "attendance", (await invitation_of(site.h, "start", TREKKER)).session_id),
        "mine": await site.link(AMB_GGD, "mine", None),
        "confirmation": rsvp + "/klaar?v=yes",
        "refused (not yours)": await site.link(AMB_LINDE, "commitment", await site.commitment("ggd-advies")),
        "forged": "/p/zomaar-iets",
        "expired": stale,
    }


def serious(found: list[dict]) -> list[dict]:
    return [v for v in found if v["impact"] in ("serious", "critical")]


async def test_axe_finds_nothing_serious_on_any_page(site, browser, monkeypatch):
    pages = await pages_to_check(site)
    for name, path in pages.items():
        await browser.open(site.base + path)
        assert serious(await browser.violations()) == [], name
        assert not await browser.too_wide(), f"{name} scrolls sideways at 360 px"
    # The form with its field errors (the browser sends it empty: no client-side checks).
    await browser.open(site.base + pages["commitment"])
    await browser.run(lambda: browser.driver.execute_script("document.forms[0].submit()"))
    assert "Kies een van de mogelijkheden." in await browser.run(lambda: browser.driver.page_source)
    assert serious(await browser.violations()) == [], "form errors"
    # The refusal of a form without a valid CSRF value.
    await browser.open(site.base + pages["signoff"])
    await browser.run(lambda: browser.driver.execute_script(
        "document.querySelector('input[name=csrf]').value = 'x'; document.forms[0].submit()"))
    assert "Je antwoord is niet opgeslagen" in await browser.run(lambda: browser.driver.page_source)
    assert serious(await browser.violations()) == [], "csrf refusal"
    # The page for an unexpected error.
    from handlers.web import mine

    async def broken(page, choice):
        raise RuntimeError("test")

    monkeypatch.setattr(mine, "show", broken)
    await browser.open(site.base + pages["mine"])
    assert "Er ging iets mis" in await browser.run(lambda: browser.driver.page_source)
    assert serious(await browser.violations()) == [], "unexpected error"
