"""Calendar answers from mail clients (iTIP REPLY) in a real IMAP folder (Dovecot)
become the RSVP once, exactly as a button press; anything else changes nothing."""

from __future__ import annotations

import logging
from email.message import EmailMessage

from sqlalchemy import select

from bot.calendar import session_uid
from bot.mail.replies import read_replies
from bot.models import MailReply
from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    AMB_THUISZORG,
    AMB_WELZIJN,
    COLLEGA,
    HITTEPLAN,
    TREKKER,
    dump,
    example_data,
    full_text,
    invitation_of,
    invitations_to,
    outbox_snapshot,
    reply_text,
    session_row,
    session_spec,
)
from tests.e2e.test_rsvp import invited
from tests.imap import itip

START = session_uid(HITTEPLAN, "start")
SEEN = "\\Seen"


async def statuses(h, *emails: str) -> dict[str, str]:
    return {email: (await invitation_of(h, "start", email)).status for email in emails}


def plain_mail() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Iemand <iemand@elders.example>"
    msg["To"] = itip.BOT
    msg["Subject"] = "Vraag"
    msg["Message-ID"] = "<vraag-1@elders.example>"
    msg.set_content("Geen agenda hier.")
    return bytes(msg)


async def test_outlook_and_gmail_replies_become_the_rsvp_once(harness, dovecot, caplog):
    h = harness
    await invited(h)
    linde = itip.outlook(START, AMB_LINDE, "ACCEPTED", comment="Ik kom graag, met een collega.", message_id="<a1@linde>")
    dovecot.append(linde)  # 1
    dovecot.append(itip.gmail(START, AMB_GGD, "DECLINED"))  # 2: inline and invite.ics
    dovecot.append(itip.gmail(START, AMB_THUISZORG, "TENTATIVE", attachment_only=True))  # 3: no method= parameter
    dovecot.append(itip.forwarded(itip.outlook(START, COLLEGA.upper(), "ACCEPTED"), COLLEGA))  # 4
    dovecot.append(plain_mail())  # 5
    dovecot.append(itip.outlook(START, "onbekend@elders.example", "ACCEPTED"))  # 6: a stranger
    dovecot.append(itip.outlook("040000008200E00074C5B7101A82E0080000000010@outlook.com", AMB_WELZIJN, "ACCEPTED"))  # 7
    dovecot.append(itip.unreadable(START))  # 8
    before = await statuses(h, TREKKER, AMB_WELZIJN)
    assert before == {TREKKER: "pending", AMB_WELZIJN: "pending"}

    caplog.set_level(logging.DEBUG, logger="bot.mail")
    first = await read_replies(h.ctx, dovecot.url)
    assert first == {"recorded": 4, "no_reply": 1, "stranger": 1, "foreign_uid": 1, "unreadable": 1}
    assert await statuses(h, AMB_LINDE, AMB_GGD, AMB_THUISZORG, COLLEGA, TREKKER, AMB_WELZIJN) == {
        AMB_LINDE: "yes", AMB_GGD: "no", AMB_THUISZORG: "maybe", COLLEGA: "yes", TREKKER: "pending", AMB_WELZIJN: "pending",
    }
    # As after a button press: the invitation message in Slack shows the answer, in place.
    await h.drain()
    [message] = invitations_to(h.emu, h.uid(AMB_LINDE))
    assert "*Je komt.*" in full_text(message) and len(message.versions) == 2

    # The second run finds nothing new; handled mail is marked read, the rest is left alone.
    assert await read_replies(h.ctx, dovecot.url) == {}
    flags = dovecot.flags()
    assert [uid for uid in sorted(flags) if SEEN in flags[uid]] == [1, 2, 3, 4]
    assert len(flags) == 8  # nothing deleted

    # The trekker's overview counts the answers.
    text = reply_text(h, await h.command(TREKKER, "status start"))
    assert "Komt: *2*" in text and "Kan niet: *1*" in text and "Misschien: *1*" in text
    assert "Nog geen antwoord: *2*" in text

    # One line per mail, with database ids and IMAP numbers only: no address.
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("bot.mail")]
    assert len([line for line in lines if not line.startswith("mail 1: invitation")]) == 8
    assert all("example" not in line and "@" not in line for line in lines), lines
    assert any("Ik kom graag, met een collega." in line for line in lines)  # the COMMENT, at debug level

    # The same mail again (a copy, another IMAP number) after the person changed the
    # answer by button: the old mail does not overwrite the newer answer.
    await h.drv.click(h.uid(AMB_LINDE), message, text="Ik kan niet")
    await h.drain()
    dovecot.append(linde)  # 9
    assert await read_replies(h.ctx, dovecot.url) == {"duplicate": 1}
    assert (await invitation_of(h, "start", AMB_LINDE)).status == "no"
    async with h.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(MailReply).order_by(MailReply.uid))).scalars().all()
    assert [r.uid for r in rows] == list(range(1, 10))
    assert rows[0].invitation_id == (await invitation_of(h, "start", AMB_LINDE)).id
    assert {r.received_at for r in rows} == {h.clock.now()}  # the injected clock


async def test_stale_and_cancelled_replies_change_nothing(harness, dovecot):
    h = harness
    await invited(h)
    data = example_data()
    session_spec(data, "start")["location"] = "Stadhuis Voorbeeldstad, raadszaal"
    await h.import_example(text=dump(data))
    await h.drain()
    assert (await session_row(h, "start")).sequence == 1

    before = await outbox_snapshot(h)
    dovecot.append(itip.outlook(START, AMB_LINDE, "ACCEPTED", sequence=0))  # 1: answers the old invitation
    assert await read_replies(h.ctx, dovecot.url) == {"stale": 1}
    assert await outbox_snapshot(h) == before
    dovecot.append(itip.gmail(START, AMB_GGD, "ACCEPTED", sequence=1))  # 2: answers the current one
    assert await read_replies(h.ctx, dovecot.url) == {"recorded": 1}
    assert await statuses(h, AMB_LINDE, AMB_GGD) == {AMB_LINDE: "pending", AMB_GGD: "yes"}

    session_spec(data, "start")["cancelled"] = True
    await h.import_example(text=dump(data))
    await h.drain()
    cancelled = await session_row(h, "start")
    assert cancelled.cancelled and cancelled.sequence == 2
    before = await outbox_snapshot(h)
    dovecot.append(itip.outlook(START, AMB_THUISZORG, "ACCEPTED", sequence=2))  # 3
    dovecot.append(itip.gmail(START, AMB_GGD, "DECLINED", sequence=2))  # 4
    assert await read_replies(h.ctx, dovecot.url) == {"cancelled": 2}
    assert await outbox_snapshot(h) == before
    assert await statuses(h, AMB_THUISZORG, AMB_GGD) == {AMB_THUISZORG: "pending", AMB_GGD: "yes"}
    flags = dovecot.flags()
    assert [uid for uid in sorted(flags) if SEEN in flags[uid]] == [2]


async def test_a_refused_login_is_one_warning_without_the_password(harness, dovecot, caplog):
    h = harness
    await invited(h)
    dovecot.append(itip.outlook(START, AMB_LINDE, "ACCEPTED"))
    wrong = dovecot.url.replace(":geheim@", ":fout-wachtwoord@")
    caplog.set_level(logging.INFO, logger="bot.mail")
    assert await read_replies(h.ctx, wrong) == {}
    [line] = [r.getMessage() for r in caplog.records if r.name.startswith("bot.mail")]
    assert "not read" in line and "fout-wachtwoord" not in line
    assert (await invitation_of(h, "start", AMB_LINDE)).status == "pending"
    # With the right password the reply is read after all: nothing was lost.
    assert await read_replies(h.ctx, dovecot.url) == {"recorded": 1}
