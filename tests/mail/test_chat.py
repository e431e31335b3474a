"""The mail chat against a real SMTP server: what a refusal means, a server that is not
there, and one kept connection for many mails."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.chat import ChatError, OutMessage
from bot.clock import ManualClock
from bot.mail.chat import MailChat
from bot.mail.lookup import Details
from bot.settings import load_settings
from tests.smtp_server import SmtpSink, free_port

MEMO = {"memo_id": 1, "title": "Doel", "body": "Tekst", "author": "Trekker", "trajectory": "Hitte", "timezone": "Europe/Amsterdam",
        "report": None, "session": None, "recipient_id": 4, "read_at": None}


def chat_for(url: str) -> MailChat:
    settings = load_settings({"SMTP_URL": url, "MAIL_FROM": "Bot <bot@x.example>"}, dotenv=False)

    async def links():
        return None

    async def details(person_id, message):
        return Details(name="Jan", reply_to="trekker@x.example")

    return MailChat(settings, ManualClock(datetime(2027, 2, 1, 8, tzinfo=timezone.utc)), links, details, timeout=5)


def memo(key: str) -> OutMessage:
    return OutMessage("memo", MEMO, "nl", key=key, person_id=3)


async def test_refusals_are_temporary_for_4xx_and_permanent_for_5xx():
    with SmtpSink() as smtp:
        chat = chat_for(smtp.url)
        smtp.refuse("weg@x.example", "550 5.1.1 Mailbox unknown")
        smtp.refuse("druk@x.example", "452 4.2.2 Mailbox full", times=1)
        with pytest.raises(ChatError) as gone:
            await chat.send_direct("weg@x.example", memo("a"))
        assert (gone.value.code, gone.value.permanent) == ("smtp_550", True)
        with pytest.raises(ChatError) as busy:
            await chat.send_direct("druk@x.example", memo("b"))
        assert (busy.value.code, busy.value.permanent) == ("smtp_452", False)
        ref = await chat.send_direct("druk@x.example", memo("b"))
        [mail] = smtp.to("druk@x.example")
        assert ref.channel == "druk@x.example" and ref.ts in str(mail["Message-ID"])
        assert str(mail["To"]) == "Jan <druk@x.example>" and str(mail["Reply-To"]) == "trekker@x.example"


async def test_a_server_that_is_not_there_is_a_temporary_error():
    chat = chat_for(f"smtp://127.0.0.1:{free_port()}")
    with pytest.raises(ChatError) as caught:
        await chat.send_direct("a@x.example", memo("c"))
    assert not caught.value.permanent
    assert await chat.check() != "ok"


async def test_one_connection_carries_many_mails_and_the_message_id_follows_the_row():
    with SmtpSink() as smtp:
        chat = chat_for(smtp.url)
        for i in range(5):
            await chat.send_direct(f"p{i}@x.example", memo(f"memo:1:{i}"))
        await chat.send_direct("p0@x.example", memo("memo:1:0"))  # the same row again
        assert smtp.greetings == 1 and len(smtp.mails) == 6
        ids = [str(m["Message-ID"]) for m in smtp.mails]
        assert len(set(ids)) == 5 and ids[0] == ids[5]
        assert ids[0].endswith("@x.example>")
        assert await chat.check() == "ok"


async def test_starttls_when_the_server_offers_it(tmp_path, monkeypatch):
    from tests.smtp_server import self_signed

    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # trust the test certificate (OpenSSL's default paths)
    with SmtpSink(tls=(cert, key)) as smtp:
        chat = chat_for(smtp.url)
        await chat.send_direct("a@x.example", memo("tls"))
        assert smtp.over_tls == 1 and len(smtp.to("a@x.example")) == 1
