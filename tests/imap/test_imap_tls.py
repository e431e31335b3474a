"""IMAP over TLS: implicit TLS (imaps://) and STARTTLS (imap://), with the server's
certificate verified; an untrusted certificate reads nothing."""

from __future__ import annotations

import logging

import pytest

from bot.mail.replies import read_replies
from tests.e2e.conftest import AMB_LINDE, invitation_of
from tests.e2e.test_rsvp import invited
from tests.imap import itip
from tests.imap.test_replies import START

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere


async def test_imaps_with_a_trusted_certificate(harness, dovecot_tls, monkeypatch):
    h = harness
    await invited(h)
    dovecot_tls.append(itip.outlook(START, AMB_LINDE, "ACCEPTED"))
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot_tls.cert))  # trust the test server's certificate
    assert await read_replies(h.ctx, dovecot_tls.imaps_url) == {"recorded": 1}
    assert (await invitation_of(h, "start", AMB_LINDE)).status == "yes"


async def test_imap_uses_starttls_when_the_server_offers_it(harness, dovecot_tls, monkeypatch):
    h = harness
    await invited(h)
    dovecot_tls.append(itip.gmail(START, AMB_LINDE, "DECLINED"))
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot_tls.cert))
    assert await read_replies(h.ctx, dovecot_tls.url) == {"recorded": 1}
    assert (await invitation_of(h, "start", AMB_LINDE)).status == "no"
    logins = [line for line in dovecot_tls.log().splitlines() if "Login: user=<bot>" in line]
    assert logins and "TLS" in logins[-1]  # the bot's login went over STARTTLS


async def test_an_untrusted_certificate_reads_nothing(harness, dovecot_tls, caplog):
    h = harness
    await invited(h)
    dovecot_tls.append(itip.outlook(START, AMB_LINDE, "ACCEPTED"))
    caplog.set_level(logging.INFO, logger="bot.mail")
    for url in (dovecot_tls.imaps_url, dovecot_tls.url):
        assert await read_replies(h.ctx, url) == {}
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("bot.mail")]
    assert len(lines) == 2 and all("CERTIFICATE_VERIFY_FAILED" in line and "geheim" not in line for line in lines), lines
    assert (await invitation_of(h, "start", AMB_LINDE)).status == "pending"
