"""End to end: mails received by a real SMTP server (``tests/smtp_server.py``), every link
in them opened with GET as a mail scanner would (nothing changes), then the person's
pages answer: invitation -> the trekker's status counts it; memo -> read; commitment ->
done; anonymous evaluation -> submitted and linked to nobody; sign-off -> decided."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.identity import slack
from bot.interactions import memos as memos_uc
from bot.models import Commitment, MemoRecipient, SignOffRequest
from tests.e2e.conftest import AMB_GGD, BESTUUR_LINDE, TREKKER, bot_messages, full_text, invitation_of, reply_text
from tests.e2e.flows import anonymous_hitteplan, to_prompt_time
from tests.mail.fixtures import *  # noqa: F401,F403  (smtp, public_url, extra_env)
from tests.e2e.mail_pages import links_by_purpose
from tests.mail.helpers import PUBLIC, links_of
from tests.web.conftest import text_of

ON_MAIL = {AMB_GGD, BESTUUR_LINDE}


@pytest.fixture
def unknown_emails():
    return set(ON_MAIL)


async def scanned(site, mails) -> None:
    """Open every link of every mail with GET, like Safe Links: nothing may change."""
    before = await site.dump()
    for mail in mails:
        for url in links_of(mail):
            path = url.replace("&amp;", "&")[len(PUBLIC):]
            shown = await site.get(path.split("?")[0], **dict([path.split("?")[1].split("=")]) if "?" in path else {})
            assert shown.status == 200, (path, text_of(shown.text))
    assert await site.dump() == before


async def answer(site, path: str, form: dict) -> str:
    page = path.split("?")[0]
    return text_of((await site.submit(page, form)).text)


async def test_from_the_mails_to_the_recorded_answers(site, smtp):
    h = site.h
    await h.import_example(text=anonymous_hitteplan())
    await h.command(TREKKER, "uitnodigen start")
    trekker = slack(h.uid(TREKKER))
    trajectory = (await site.person(TREKKER)).trajectory_id
    preview = await memos_uc.preview(h.ctx, trekker, memos_uc.MemoForm(trajectory), memos_uc.Draft(title="Doel", body="Het doel.", audience="all"))
    await memos_uc.send(h.ctx, trekker, preview["form"])
    await h.command(TREKKER, "herinneren afspraken")
    await site.start_signoff(deadline="2027-04-01")
    await h.drain()
    ggd, board = smtp.to(AMB_GGD), smtp.to(BESTUUR_LINDE)
    assert ggd and board
    await scanned(site, ggd + board)

    # The invitation: "Ik kom" from the mail preselects, the page records, the trekker counts it.
    invitation = next(m for m in ggd if str(m["Subject"]).startswith("Uitnodiging"))
    links = links_by_purpose(site.ctx, invitation)
    assert {("rsvp", "yes"), ("rsvp", "no"), ("rsvp", "maybe"), ("rsvp", "delegated"), ("mine", None)} <= set(links)
    page = await site.get(links[("rsvp", "yes")].split("?")[0], choice="yes")
    assert 'value="yes" checked' in page.text
    assert "je komt" in await answer(site, links[("rsvp", "yes")], {"answer": "yes"})
    assert (await invitation_of(h, "start", AMB_GGD)).status == "yes"
    assert "Komt: *1*" in reply_text(h, await h.command(TREKKER, "status start"))

    # The memo: read.
    memo = next(links_by_purpose(site.ctx, m)[("memo", None)] for m in ggd if ("memo", None) in links_by_purpose(site.ctx, m))
    await answer(site, memo, {})
    async with site.ctx.db.sessionmaker() as s:
        [read] = (await s.execute(select(MemoRecipient.read_at).where(MemoRecipient.person_id == (await site.person(AMB_GGD)).id))).scalars().all()
    assert read is not None

    # The commitment reminder: done.
    done = next(links_by_purpose(site.ctx, m)[("commitment", "done")] for m in ggd if ("commitment", "done") in links_by_purpose(site.ctx, m))
    await answer(site, done, {"to": "done"})
    async with site.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(Commitment.status).where(Commitment.key == "ggd-advies"))).scalar_one() == "done"

    # The sign-off request: agreed.
    agree = next(links_by_purpose(site.ctx, m)[("signoff", "agree")] for m in board if ("signoff", "agree") in links_by_purpose(site.ctx, m))
    await answer(site, agree, {"decision": "agree"})
    async with site.ctx.db.sessionmaker() as s:
        assert (await s.get(SignOffRequest, await site.signoff_request("linde"))).decision == "agreed"

    # The evaluation after the session (anonymous): submitted, linked to nobody.
    await to_prompt_time(h)
    prompt = next(m for m in smtp.to(AMB_GGD) if ("evaluation", None) in links_by_purpose(site.ctx, m))
    await scanned(site, [prompt])
    await answer(site, links_by_purpose(site.ctx, prompt)[("evaluation", None)],
                 {"answer:waarde": "5", "answer:doelen": "Ja", "answer:risico": "Hitte in de wijk 9c1"})
    # Anonymous: in the pool without person or time until a batch moves it (evaluation_answers).
    holding = sorted(name for name, rows in (await site.dump()).items() if "Hitte in de wijk 9c1" in repr(rows))
    assert holding == ["evaluation_pool"]


async def test_a_new_colleague_sent_from_the_page_gets_the_invitation_by_mail(site, smtp):
    h = site.h
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    [invitation] = smtp.to(AMB_GGD)
    delegated = links_by_purpose(site.ctx, invitation)[("rsvp", "delegated")]
    form = {"answer": "delegated", "colleague": "new", "colleague_name": "Nieuwe Collega", "colleague_email": "nieuw@ggd.example"}
    assert "Je collega krijgt de uitnodiging." in await answer(site, delegated, form)
    await h.drain()
    [theirs] = smtp.to("nieuw@ggd.example")
    assert str(theirs["Subject"]).startswith("Uitnodiging: Startbijeenkomst")
    assert ("rsvp", "yes") in links_by_purpose(site.ctx, theirs)
    notice = full_text(bot_messages(h.emu, h.uid(TREKKER))[-1])
    assert "Nieuwe Collega" in notice and "Deze collega heeft de uitnodiging van ons gekregen." in notice
