"""E-mail through the outbox: every kind of message arrives by mail, temporary SMTP
errors are retried, permanent ones are reported to the trekker, a crash sends nothing
twice (and a resend carries the same Message-ID), pacing follows MAIL_PER_MINUTE."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import build_pacer
from bot.identity import email as email_user
from bot.identity import slack
from bot.interactions import invitations as invitations_uc
from bot.interactions import memos as memos_uc
from bot.interactions import signoff as signoff_uc
from bot.models import Organisation, OutboxMessage, Trajectory
from bot.settings import load_settings
from scheduling.dispatcher import LEASE
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, TREKKER, invitation_of, messages_containing, reply_text
from tests.mail.helpers import PUBLIC, links_of, mail_env, token_and_choice
from tests.mail.fixtures import *  # noqa: F401,F403  (smtp, public_url, extra_env)

ON_MAIL = [AMB_GGD, AMB_LINDE]


@pytest.fixture
def unknown_emails():
    return set(ON_MAIL)


async def _rows(h, like: str) -> list[OutboxMessage]:
    async with h.ctx.db.sessionmaker() as s:
        return list((await s.execute(select(OutboxMessage).where(OutboxMessage.key.like(like)).order_by(OutboxMessage.id))).scalars())


async def test_every_kind_of_message_arrives_by_mail(harness, smtp):
    h = harness
    await h.import_example()
    trekker = slack(h.uid(TREKKER))
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    await h.command(TREKKER, "herinneren start")
    await h.drain()
    await h.command(TREKKER, "herinneren afspraken")
    await h.drain()
    linde = await invitation_of(h, "start", AMB_LINDE)
    await invitations_uc.answer(h.ctx, email_user(AMB_LINDE), linde.id, "yes")  # as the RSVP page does
    await h.command(TREKKER, "evaluatie start")
    await h.drain()
    async with h.ctx.db.sessionmaker() as s:
        tid = (await s.execute(select(Trajectory.id))).scalars().first()
        orgs = {o.name: o.id for o in (await s.execute(select(Organisation))).scalars()}
    form = (await memos_uc.form(h.ctx, trekker, tid))["form"]
    preview = await memos_uc.preview(h.ctx, trekker, form, memos_uc.Draft(title="Doel <b>", body="Het *doel*.\nTweede regel", audience="all"))
    await memos_uc.send(h.ctx, trekker, preview["form"])
    start = signoff_uc.StartInput(title="SOK hitte", link="https://example.org/sok", deadline="2027-03-01",
                                  organisations=[str(orgs["Zorggroep De Linde"]), str(orgs["GGD Regio Voorbeeld"])])
    await signoff_uc.start(h.ctx, trekker, signoff_uc.StartForm(tid), start)
    await h.drain()

    subjects = [str(m["Subject"]) for m in smtp.to(AMB_LINDE)]
    assert any(s.startswith("Uitnodiging:") for s in subjects), subjects
    assert any(s.startswith("Kom je naar") for s in subjects), subjects
    assert any(s.startswith("Afspraak van") for s in subjects), subjects
    assert any("evaluatie" in s.lower() or "Hoe was" in s for s in subjects), subjects
    assert any(s.startswith("Memo van") for s in subjects), subjects
    assert any(s.startswith("Graag je besluit") for s in map(str, (m["Subject"] for m in smtp.to(AMB_GGD))))
    purposes = set()
    for mail in smtp.to(AMB_LINDE) + smtp.to(AMB_GGD):
        for url in links_of(mail):
            token, choice = token_and_choice(url)
            grant = h.ctx.links.read(token, h.clock.now())
            purposes.add((grant.purpose, choice))
    assert {("rsvp", "yes"), ("memo", None), ("commitment", "done"), ("evaluation", None), ("signoff", "agree"), ("mine", None)} <= purposes
    # Each outbox row is one mail with its own Message-ID.
    ids = [str(m["Message-ID"]) for m in smtp.mails]
    assert len(ids) == len(set(ids))


async def test_temporary_errors_are_retried_then_delivered(harness, smtp):
    h = harness
    await h.import_example()
    smtp.refuse(AMB_GGD, "451 4.3.0 Mailbox busy, try again", times=2)
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    [row] = [r for r in await _rows(h, "invite:%") if r.target == AMB_GGD]
    assert (row.status, row.last_error) == ("pending", "smtp_451")
    assert smtp.to(AMB_GGD) == []
    for _ in range(3):
        h.clock.advance(seconds=600)
        await h.drain()
    [row] = [r for r in await _rows(h, "invite:%") if r.target == AMB_GGD]
    assert row.status == "sent" and row.attempts == 3
    assert len(smtp.to(AMB_GGD)) == 1
    assert len(smtp.refused) == 2


async def test_a_refused_mailbox_fails_and_the_trekker_is_told(harness, smtp):
    h = harness
    await h.import_example()
    smtp.refuse(AMB_LINDE, "550 5.1.1 Mailbox unknown")
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    await h.drain()
    [row] = [r for r in await _rows(h, "invite:%") if r.target == AMB_LINDE]
    assert (row.status, row.last_error, row.attempts) == ("failed", "smtp_550", 1)
    [notice] = messages_containing(h.emu, h.uid(TREKKER), "kwam niet aan")
    assert AMB_LINDE in notice.text or "Ambassadeur De Linde" in notice.text
    r = await h.command(TREKKER, "status start")
    assert "Ambassadeur De Linde" in reply_text(h, r)  # listed as not delivered


async def test_a_crash_between_claim_and_send_sends_each_mail_once(harness, smtp):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    claimed = await h.bot.dispatcher._claim(200)  # a process claims the rows and dies
    assert {r.target for r in claimed if r.platform == "email"} == set(ON_MAIL)
    await h.drain()
    assert smtp.mails == []  # leased: nobody else sends them yet
    h.clock.advance(seconds=LEASE.total_seconds() + 1)
    await h.drain()
    for email in ON_MAIL:
        assert len(smtp.to(email)) == 1


async def test_a_crash_after_the_server_took_the_mail_resends_with_the_same_message_id(harness, smtp):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    claimed = [r for r in await h.bot.dispatcher._claim(200) if r.target == AMB_GGD]
    outcome = await h.bot.dispatcher._send(claimed[0])  # sent, then the process died before recording it
    assert outcome.status == "sent"
    h.clock.advance(seconds=LEASE.total_seconds() + 1)
    await h.drain()
    first, again = smtp.to(AMB_GGD)
    assert str(first["Message-ID"]) == str(again["Message-ID"])  # recognisable as the same message
    [row] = [r for r in await _rows(h, "invite:%") if r.target == AMB_GGD]
    assert row.status == "sent"


def test_pacing_follows_mail_per_minute():
    pacer = build_pacer(load_settings({"MAIL_PER_MINUTE": "120"}, dotenv=False))
    assert pacer.per_second("email:direct") == 2.0
    assert pacer.per_second("email:file") == 2.0
    assert build_pacer(load_settings({}, dotenv=False)).per_second("email:direct") == 1.0
