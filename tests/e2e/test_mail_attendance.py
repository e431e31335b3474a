"""Issue 12, point 3, for a trekker on e-mail: after the session the trekker gets "Wie was
er?" by mail (the SMTP sink); its button opens a personal page with the invitees, those
who said yes ticked.  Opening it changes nothing; the form's POST (with CSRF) saves who
came through the same use case as the Slack modal, and the evaluation then goes only to
those marked present.  The counts show in the status post and the export.  Forged and
expired links, a link for someone who is no trekker, a session not begun or cancelled:
refused, nothing saved."""

from __future__ import annotations

import re
from datetime import timedelta, timezone

import pytest
from sqlalchemy import select

from bot.identity import email as email_user
from bot.interactions import invitations as invitations_uc
from bot.interactions import summary as summary_uc
from bot.models import Session
from bot.web.links import Grant
from tests.conftest import local
from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    AMB_THUISZORG,
    AMB_WELZIJN,
    TREKKER,
    dump,
    example_data,
    full_text,
    harness_env,
    invitation_of,
    invitations_to,
    run_cli,
)
from tests.e2e.flows import PROMPT_AT, prompts_to
from tests.e2e.test_figures_attendance import ANSWERS, ENDS
from tests.mail.fixtures import *  # noqa: F401,F403  (smtp, public_url, extra_env)
from tests.mail.helpers import PUBLIC, links_of, text_of, token_and_choice
from tests.web.conftest import site  # noqa: F401  (the personal pages over HTTP)
from tests.web.conftest import text_of as page_text

AMBASSADORS = (AMB_LINDE, AMB_GGD, AMB_THUISZORG, AMB_WELZIJN)
SUBJECT = "Wie was er bij Startbijeenkomst lokaal hitteplan?"


@pytest.fixture
def unknown_emails():
    return {TREKKER}  # Slack does not know the trekker: reached by e-mail


async def invite_and_answer(site) -> int:
    """The trekker (on e-mail) invites through the use case; the ambassadors answer in Slack."""
    h = site.h
    trajectory = (await site.person(TREKKER)).trajectory_id
    done = await invitations_uc.invite(h.ctx, email_user(TREKKER), trajectory, "start")
    assert dict(done.reached).get("email") == 1, done.reached
    await h.drain()
    for email, label in ANSWERS.items():
        await h.drv.click(h.uid(email), invitations_to(h.emu, h.uid(email))[-1], text=label)
    await h.drain()
    return trajectory


def asked(smtp) -> list:
    return [m for m in smtp.to(TREKKER) if str(m["Subject"]) == SUBJECT]


def form_path(site, mail) -> str:
    """The path of the mail's "Aanwezigen invullen" link (the only attendance link)."""
    found = []
    for url in links_of(mail):
        token, _ = token_and_choice(url)
        if site.ctx.links.read(token, site.ctx.now()).purpose == "attendance":
            found.append(url.replace("&amp;", "&")[len(PUBLIC):])
    [path] = found
    return path


async def session_of(site, key: str) -> int:
    async with site.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Session.id).where(Session.key == key))).scalar_one()


def ticked(html: str) -> set[str]:
    """The person ids whose checkbox is ticked."""
    return set(re.findall(r'name="present" value="(\d+)" checked', html))


async def ids(site, *emails: str) -> list[str]:
    return [str((await site.person(e)).id) for e in emails]


async def test_who_came_by_mail_decides_who_is_evaluated(site, smtp, tmp_path):
    h = site.h
    trajectory = await invite_and_answer(site)
    h.clock.set(local(2027, 3, 9, 16, 29))
    await h.tick()
    assert asked(smtp) == []
    h.clock.set(ENDS)
    await h.tick()
    [mail] = asked(smtp)
    assert "Startbijeenkomst lokaal hitteplan" in text_of(mail) and "Aanwezigen invullen" in text_of(mail)
    path = form_path(site, mail)

    # Opening the link (a mail scanner does) changes nothing; the yes-sayers are ticked.
    before = await site.dump()
    page = await site.get(path)
    assert page.status == 200 and await site.dump() == before
    linde, ggd, welzijn = await ids(site, AMB_LINDE, AMB_GGD, AMB_WELZIJN)
    assert ticked(page.text) == {linde, ggd}
    assert "<legend>Wie was er?</legend>" in page.text and 'for="present-1"' in page.text

    # Without the form's CSRF value nothing is saved; someone not invited is a problem on the form.
    assert (await site.post(path, [("present", linde)], csrf=None)).status == 403
    wrong = await site.post(path, [("present", linde), ("present", "999999")])
    assert wrong.status == 400 and "Kies alleen mensen die waren uitgenodigd." in page_text(wrong.text)
    assert await site.dump() == before

    # GGD did not come after all; Welzijn, who said no, did.
    done = await site.submit(path, [("present", linde), ("present", welzijn)])
    assert "Opgeslagen wie er was" in page_text(done.text)
    assert (await invitation_of(h, "start", AMB_WELZIJN)).attended is True
    assert (await invitation_of(h, "start", AMB_GGD)).attended is False
    again = await site.get(path)  # the form now shows who was marked present
    assert ticked(again.text) == {linde, welzijn}

    h.clock.set(PROMPT_AT)
    await h.tick()
    assert [e for e in AMBASSADORS if prompts_to(h, e)] == [AMB_LINDE, AMB_WELZIJN]
    await summary_uc.post(h.ctx, email_user(TREKKER), trajectory)
    await h.drain()
    post = [m for m in h.emu.messages("#hitteplan") if (m.text or "").startswith("Stand van zaken")][-1]
    assert "*Aanwezig:* Startbijeenkomst lokaal hitteplan: 2 van 6 genodigden" in full_text(post)
    result = await run_cli("export", "evaluations", "--session", "start", "--output", str(tmp_path / "e.csv"), env=harness_env(h), cwd=tmp_path)
    assert result.code == 0, result.both
    assert "Aanwezig volgens de trekker: 2 van de 6 genodigden." in result.out


async def test_without_an_answer_by_mail_yes_and_maybe_are_evaluated(site, smtp):
    h = site.h
    await invite_and_answer(site)
    h.clock.set(PROMPT_AT)
    await h.tick()
    assert asked(smtp)
    assert [e for e in AMBASSADORS if prompts_to(h, e)] == [AMB_LINDE, AMB_GGD, AMB_THUISZORG]


async def test_forged_expired_and_foreign_links_are_refused(site, smtp):
    h = site.h
    await invite_and_answer(site)
    h.clock.set(ENDS)
    await h.tick()
    path = form_path(site, asked(smtp)[0])
    session_id = site.ctx.links.read(path.rsplit("/", 1)[1], site.ctx.now()).record_id
    before = await site.dump()
    linde = (await ids(site, AMB_LINDE))[0]

    assert (await site.get(path[:-3] + "xyz")).status == 400
    # A valid link for an ambassador (not a trekker): the page and its form are refused.
    foreign = await site.link(AMB_GGD, "attendance", session_id)
    shown = await site.get(foreign)
    assert shown.status == 403 and "alleen een trekker" in page_text(shown.text)
    posted = await site.post(foreign, [("present", linde)], csrf=site.ctx.links.csrf(foreign.rsplit("/", 1)[1]))
    assert posted.status == 403 and "alleen een trekker" in page_text(posted.text)
    # A session that has not begun: refused with the reason.
    later = await site.link(TREKKER, "attendance", await session_of(site, "doelen"))
    not_begun = page_text((await site.get(later)).text)
    assert "nog niet begonnen" in not_begun and "*" not in not_begun  # no chat markup on a page
    assert await site.dump() == before

    # The mail's link works until 60 days after the session.
    h.clock.set(ENDS.astimezone(timezone.utc) + timedelta(days=60, minutes=1))
    expired = await site.get(path)
    assert expired.status == 410 and "verlopen" in page_text(expired.text)
    h.clock.set(ENDS + timedelta(hours=1))

    # Cancelled after all (dropped from the file): refused, nothing saved.
    data = example_data()
    data["sessions"] = [s for s in data["sessions"] if s["key"] != "start"]
    await h.import_example(text=dump(data))
    cancelled = await site.post(path, [("present", linde)], csrf=site.ctx.links.csrf(path.rsplit("/", 1)[1]))
    assert cancelled.status == 403 and "gaat niet door" in page_text(cancelled.text)
    assert (await invitation_of(h, "start", AMB_LINDE)).attended is None
    stale = "/p/" + site.ctx.links.token(Grant((await site.person(TREKKER)).id, "attendance", session_id, site.ctx.now() - timedelta(seconds=1)))
    assert (await site.get(stale)).status == 410
