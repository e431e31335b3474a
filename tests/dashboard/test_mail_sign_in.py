"""A trekker on e-mail asks for the dashboard's sign-in link on their page "Wat wacht er
op mij": a POST with CSRF (the GET changes nothing), the mail through the outbox at once
into a real SMTP server, at most one per five minutes; the link works once, 15 minutes.
A participant sees no button and is refused; so is the trekker for another trajectory."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.models import DashboardSignIn, Person
from bot.web.links import Grant
from tests.dashboard.helpers import PAGE, outbox_count, rows
from tests.dashboard.mail_steps import (  # noqa: F401  (fixtures)
    extra_env, invited, mine_link, sign_in_link, sign_in_mails, smtp, trajectory_id, unknown_emails,
)
from tests.e2e.conftest import AMB_GGD, NEERSLAG, TREKKER
from tests.web.conftest import text_of

BUTTON = "Stuur me een inloglink voor het dashboard"


async def sign_ins(dash) -> int:
    async with dash.h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(DashboardSignIn))).scalar_one()


async def press(web, mine: str, trajectory: int | str, csrf: str | None = None) -> tuple[int, str]:
    """Press the dashboard button of the page (its own CSRF): the status and the page landed on."""
    posted = await web.post(mine, {"csrf": csrf or (await web.get(mine)).csrf, "dashboard": str(trajectory)})
    if posted.status != 303:
        return posted.status, text_of(posted.text)
    assert posted.headers["Location"].startswith(mine[len(web.base):] + "/klaar?v=")
    landed = await web.get(posted.headers["Location"])
    return landed.status, text_of(landed.text)


async def test_the_button_mails_a_link_that_signs_in_once(dash, web, smtp):
    await invited(dash)
    mine = mine_link(dash, smtp, TREKKER)
    before = (await outbox_count(dash), await sign_ins(dash))
    page = await web.get(mine)
    assert page.status == 200 and BUTTON in page.text
    assert (await outbox_count(dash), await sign_ins(dash)) == before  # a GET changes nothing

    status, landed = await press(web, mine, await trajectory_id(dash))
    assert status == 200 and "Kijk in je mail" in landed and "De mail met je inloglink is onderweg" in landed
    [row] = await rows(dash, "dashboard_link")
    assert row.at_once and row.platform == "email" and row.target == TREKKER
    await dash.h.drain()
    [mail] = sign_in_mails(smtp)
    assert str(mail["Subject"]) == "Je inloglink voor het dashboard van Lokaal hitteplan Voorbeeldstad"
    link = sign_in_link(mail)

    opened = await web.get(link)
    assert opened.status == 200
    assert (await web.post(link, {"csrf": opened.csrf})).status == 303
    shown = await web.get(PAGE)
    assert shown.status == 200 and "Trekker Gemeente" in shown.text and "Startbijeenkomst lokaal hitteplan" in shown.text
    web.cookie = None
    reused = await web.get(link)
    assert reused.status == 403 and "al gebruikt" in reused.text and "Wat wacht er op mij" in reused.text


async def test_one_mail_per_five_minutes_and_the_link_expires(dash, web, smtp):
    await invited(dash)
    mine, hitteplan = mine_link(dash, smtp, TREKKER), await trajectory_id(dash)
    assert (await press(web, mine, hitteplan))[0] == 200
    status, again = await press(web, mine, hitteplan)  # pressed again at once: nothing new
    assert status == 200 and "Je hebt net al een inloglink gevraagd" in again
    dash.h.clock.advance(minutes=4)  # the clock starts at 09:00, a five-minute window's start
    assert "Je hebt net al een inloglink gevraagd" in (await press(web, mine, hitteplan))[1]
    await dash.h.drain()
    assert len(sign_in_mails(smtp)) == 1 and await sign_ins(dash) == 1

    dash.h.clock.advance(minutes=1)
    assert "onderweg" in (await press(web, mine, hitteplan))[1]
    await dash.h.drain()
    first, second = sign_in_mails(smtp)
    assert sign_in_link(first) != sign_in_link(second)
    dash.h.clock.advance(minutes=16)
    late = await web.get(sign_in_link(second))
    assert late.status == 403 and "verlopen" in late.text


async def test_a_participant_sees_no_button_and_is_refused(dash, web, smtp):
    await invited(dash)
    mine, hitteplan = mine_link(dash, smtp, AMB_GGD), await trajectory_id(dash)
    page = await web.get(mine)
    assert page.status == 200 and "Wat wacht er op mij" in page.text and BUTTON not in page.text
    before = await outbox_count(dash)
    # The page has no form: the POST is made by hand, with the right CSRF for this link.
    status, refused = await press(web, mine, hitteplan, csrf=dash.h.ctx.links.csrf(mine.rsplit("/", 1)[1]))
    assert status == 403
    assert "Sorry, dit mag alleen een trekker van Lokaal hitteplan Voorbeeldstad doen. Er is niets gebeurd." in refused
    assert await outbox_count(dash) == before and await sign_ins(dash) == 0


async def test_the_trekker_is_refused_for_another_trajectory_and_for_a_forged_form(dash, web, smtp):
    await invited(dash)
    await dash.h.import_example("neerslag.yaml")
    mine = mine_link(dash, smtp, TREKKER)
    before = await outbox_count(dash)
    status, refused = await press(web, mine, await trajectory_id(dash, NEERSLAG))
    assert status == 403 and "alleen een trekker van Risicodialoog grootschalige neerslag" in refused
    for bogus in ("", "abc", "9" * 40, "999999"):
        status, refused = await press(web, mine, bogus)
        assert status == 403, bogus
        assert "Op deze pagina kun je niets versturen." in refused or "Dit traject ken ik niet" in refused
    no_csrf = await web.post(mine, {"dashboard": str(await trajectory_id(dash))})
    assert no_csrf.status == 403
    assert await outbox_count(dash) == before and await sign_ins(dash) == 0


@pytest.mark.parametrize(("unknown_emails", "extra_env"), [(set(), {})])  # everyone on Slack, no SMTP_URL
async def test_without_mail_the_button_says_so_and_sends_nothing(dash, web):
    await dash.h.import_example()
    async with dash.h.ctx.db.sessionmaker() as s:
        trekker = (await s.execute(select(Person).where(Person.email == TREKKER))).scalar_one()
    mine = dash.base + "/p/" + dash.h.ctx.links.token(Grant(trekker.id, "mine", None, dash.h.ctx.now() + timedelta(days=1)))
    before = await outbox_count(dash)
    status, refused = await press(web, mine, trekker.trajectory_id)
    assert status == 403 and "De bot kan nu geen mail sturen. Vraag de beheerder om SMTP_URL in te stellen." in refused
    assert await outbox_count(dash) == before and await sign_ins(dash) == 0
