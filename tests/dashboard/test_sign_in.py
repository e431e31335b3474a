"""Signing in with the one-time link: once, 15 minutes, trekkers only, sessions."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.models import DashboardSession, Person
from bot.web import dashboard_auth
from bot.web.links import Grant, expiry
from tests.dashboard.conftest import link_for, sign_in
from tests.e2e.conftest import AMB_GGD, HITTEPLAN, TREKKER, TREKKER_NEERSLAG

PAGE = f"/dashboard/{HITTEPLAN}"


async def test_the_link_signs_in_with_a_safe_cookie_and_shows_the_page(dash, web):
    await dash.h.import_example()
    done = await sign_in(dash, web, TREKKER)
    assert done.headers["Location"] == PAGE
    cookie = web.set_cookie.lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie and "path=/dashboard" in cookie
    page = await web.get(PAGE)
    assert page.status == 200
    assert '<html lang="nl">' in page.text
    for title in ("Startbijeenkomst lokaal hitteplan", "Bestuurlijke bijeenkomst hitteplan", "Dialoog doelen en maatregelen"):
        assert title in page.text
    assert "Hitteprotocol van De Linde bespreken" in page.text
    assert "Trekker Gemeente" in page.text


async def test_opening_the_link_changes_nothing_and_it_works_once(dash, web, caplog):
    caplog.set_level(logging.INFO)  # before the first request: aiohttp decides per connection whether to log access
    await dash.h.import_example()
    link = await link_for(dash, TREKKER)
    first = await web.get(link)
    again = await web.get(link)  # a mail scanner opening it
    assert first.status == again.status == 200
    used = await web.post(link, {"csrf": first.csrf})
    assert used.status == 303
    web.cookie = None
    reused = await web.get(link)
    assert reused.status == 403 and "al gebruikt" in reused.text
    replay = await web.post(link, {"csrf": first.csrf})
    assert replay.status == 403 and web.cookie is None
    # The access log shows the sign-in path, never its token (a credential for 15 minutes).
    token = link.rstrip("/").rsplit("/", 1)[1]
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any("/dashboard/in/" in line for line in access) and not any(token in line for line in access)


async def test_an_expired_link_is_refused(dash, web):
    await dash.h.import_example()
    link = await link_for(dash, TREKKER)
    page = await web.get(link)
    dash.h.clock.advance(minutes=16)
    late = await web.post(link, {"csrf": page.csrf})
    assert late.status == 403 and "verlopen" in late.text
    assert web.cookie is None
    assert (await web.get(link)).status == 403


async def test_a_forged_link_and_no_csrf_are_refused(dash, web):
    await dash.h.import_example()
    assert (await web.get("/dashboard/in/not-a-real-token")).status == 403
    link = await link_for(dash, TREKKER)
    assert (await web.post(link, {})).status == 403
    page = await web.get(link)
    for origin in ("https://elders.example", "null"):
        assert (await web.post(link, {"csrf": page.csrf}, origin=origin)).status == 403
    assert web.cookie is None
    assert (await web.get(link)).status == 200  # still unused


async def test_without_signing_in_the_dashboard_is_403_in_dutch(dash, web):
    await dash.h.import_example()
    page = await web.get(PAGE)
    assert page.status == 403
    assert "Geen toegang" in page.text and "/dialoog dashboard" in page.text


async def test_a_participant_gets_no_link_and_no_page(dash, web):
    await dash.h.import_example()
    reply = dash.h.reply(await dash.h.command(AMB_GGD, "dashboard"))
    assert "trekker" in reply and "/dashboard/in/" not in reply
    async with dash.h.ctx.db.sessionmaker() as s:
        person = (await s.execute(select(Person).where(Person.email == AMB_GGD))).scalar_one()
    # A sign-in made for them anyway (or the e-mail variant gone wrong): the page still refuses.
    link = await dashboard_auth.sign_in_link(dash.h.ctx, person, "slack")
    page = await web.get(link)
    assert (await web.post(link, {"csrf": page.csrf})).status == 303
    refused = await web.get(PAGE)
    assert refused.status == 403 and "Alleen de trekkers" in refused.text
    # Their personal-page token (/p/...) is no sign-in link.
    grant = Grant(person.id, "mine", None, expiry(None, dash.h.clock.now()))
    token = dash.h.ctx.links.token(grant)
    web.cookie = None
    assert (await web.get(f"/dashboard/in/{token}")).status == 403


async def test_a_trekker_of_another_trajectory_is_refused(dash, web):
    await dash.h.import_example()
    await dash.h.import_example("neerslag.yaml")
    done = await sign_in(dash, web, TREKKER_NEERSLAG)
    assert done.headers["Location"] != PAGE
    assert (await web.get(done.headers["Location"])).status == 200
    assert (await web.get(PAGE)).status == 403
    assert (await web.get(PAGE + "/afspraken.xlsx")).status == 403


async def test_sign_out_and_eight_idle_hours_end_the_session(dash, web):
    await dash.h.import_example()
    await sign_in(dash, web, TREKKER)
    page = await web.get(PAGE)
    dash.h.clock.advance(hours=7, minutes=50)
    assert (await web.get(PAGE)).status == 200  # touched: idle time starts again
    dash.h.clock.advance(hours=8, minutes=1)
    assert (await web.get(PAGE)).status == 403
    await sign_in(dash, web, TREKKER)
    page = await web.get(PAGE)
    assert (await web.post("/dashboard/uit", {})).status == 403  # no CSRF: still signed in
    assert (await web.get(PAGE)).status == 200
    out = await web.post("/dashboard/uit", {"csrf": page.csrf})
    assert out.status == 200 and "uitgelogd" in out.text
    async with dash.h.ctx.db.sessionmaker() as s:
        ended = (await s.execute(select(DashboardSession.ended_at).order_by(DashboardSession.id.desc()))).scalars().first()
    assert ended is not None


@pytest.fixture
def public_url():
    return None


async def test_without_public_url_the_command_says_so(harness):
    await harness.import_example()
    reply = harness.reply(await harness.command(TREKKER, "dashboard"))
    assert "PUBLIC_URL" in reply and "http" not in reply


async def test_the_e_mail_variant_acts_as_the_trekkers_address(dash, web):
    """``sign_in_link(ctx, person)`` (for the page "Wat wacht er op mij"): the session acts
    as ``identity.email(person.email)``, which the trekker check accepts."""
    await dash.h.import_example()
    async with dash.h.ctx.db.sessionmaker() as s:
        trekker = (await s.execute(select(Person).where(Person.email == TREKKER))).scalar_one()
    link = await dashboard_auth.sign_in_link(dash.h.ctx, trekker)
    page = await web.get(link)
    assert (await web.post(link, {"csrf": page.csrf})).status == 303
    assert (await web.get(PAGE)).status == 200
    async with dash.h.ctx.db.sessionmaker() as s:
        platform = (await s.execute(select(DashboardSession.platform))).scalar_one()
    assert platform == "email"
