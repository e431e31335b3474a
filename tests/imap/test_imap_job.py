"""The IMAP side on its own: ``IMAP_URL`` forms, the scheduler's job, odd mail."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.mail.imap import ImapError, parse_imap_url
from bot.mail.replies import Unreadable, message_key, parse_replies
from bot.settings import Settings
from scheduling.scheduler import MAIL_REPLIES_JOB, mail_replies_job, start_scheduler
from tests.e2e.conftest import AMB_LINDE, invitation_of
from tests.e2e.test_rsvp import invited
from tests.imap import itip
from tests.imap.test_replies import START


def test_imap_url_forms():
    t = parse_imap_url("imaps://dialoog%40provincie.example:p%40ss%3Aw@imap.provincie.example/Agenda%20antwoorden")
    assert (t.host, t.port, t.user, t.password, t.folder, t.implicit_tls) == (
        "imap.provincie.example", 993, "dialoog@provincie.example", "p@ss:w", "Agenda antwoorden", True,
    )
    assert "p@ss" not in repr(t) and "p@ss" not in t.name
    plain = parse_imap_url("imap://bot:geheim@127.0.0.1:1143")
    assert (plain.port, plain.folder, plain.implicit_tls, plain.loopback) == (1143, "INBOX", False, True)
    assert parse_imap_url("imap://bot:x@mail.example/INBOX").port == 143
    assert not parse_imap_url("imap://bot:x@mail.example/INBOX").loopback


@pytest.mark.parametrize("url", [
    "https://bot:geheim@mail.example/INBOX",
    "imaps://mail.example/INBOX",
    "imaps://bot@mail.example/INBOX",
    "imaps://bot:geheim@mail.example:99999/INBOX",
    "imaps://bot:geheim@/INBOX",
])
def test_unusable_imap_urls_are_refused_without_the_password(url):
    with pytest.raises(ImapError) as caught:
        parse_imap_url(url)
    assert "geheim" not in str(caught.value)


def test_a_forwarded_invitation_or_an_odd_calendar_part_is_no_reply():
    request = itip.gmail_ics(START, AMB_LINDE, "NEEDS-ACTION").replace("METHOD:REPLY", "METHOD:REQUEST").encode()
    msg = itip.forwarded(itip.outlook(START, AMB_LINDE, "ACCEPTED"), AMB_LINDE)
    assert len(parse_replies(msg)) == 1
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["Subject"] = "Uitnodiging"
    mail.set_content("zie bijlage")
    mail.add_attachment(request, maintype="text", subtype="calendar", filename="uitnodiging.ics")
    assert parse_replies(bytes(mail)) == []  # an invitation, not an answer
    two = itip.gmail_ics(START, AMB_LINDE, "ACCEPTED").replace(
        "END:VEVENT", "ATTENDEE;PARTSTAT=DECLINED:mailto:ander@elders.example\r\nEND:VEVENT"
    ).encode()
    mail.clear_content()
    mail.set_content("twee")
    mail.add_attachment(two, maintype="text", subtype="calendar", filename="invite.ics")
    with pytest.raises(Unreadable):
        parse_replies(bytes(mail))
    assert message_key(b"Subject: x\r\n\r\nbody").startswith("sha256:")
    assert message_key(b"Message-ID: <a@b>\r\n\r\nbody") == "<a@b>"


async def test_the_scheduler_reads_the_folder_when_imap_url_is_set(harness, dovecot):
    h = harness
    await invited(h)
    dovecot.append(itip.outlook(START, AMB_LINDE, "TENTATIVE"))
    if "imap_url" not in {f.name for f in dataclasses.fields(Settings)}:
        pytest.skip("Settings has no imap_url field yet (the mail channel adds it)")
    h.ctx.settings = dataclasses.replace(h.ctx.settings, imap_url=dovecot.url)
    scheduler = start_scheduler(h.ctx)
    try:
        job = scheduler.get_job(MAIL_REPLIES_JOB)
        assert job.trigger.interval == timedelta(seconds=max(h.ctx.settings.scheduler_interval, 60))
    finally:
        scheduler.shutdown(wait=False)
    await mail_replies_job(h.ctx)
    assert (await invitation_of(h, "start", AMB_LINDE)).status == "maybe"
