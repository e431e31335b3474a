"""Logs without personal data (issue 12, point 10) by e-mail: the invitation mail, the
RSVP page, the memo page, the evaluation page, the commitment page, with every log line
captured at INFO; no name, e-mail address, platform id, note, answer or token appears,
and the access log shows the pages as ``/p/…``, never with the link's token."""

from __future__ import annotations

import logging

from tests.e2e.mail_pages import pages, tokens_of  # noqa: F401  (the fixture)
from tests.e2e.privacy_flow import assert_logs_name_nobody, whole_mail_flow
from tests.mail.fixtures import *  # noqa: F401,F403  (smtp, public_url, extra_env)


async def test_a_whole_email_flow_logs_no_personal_data(harness, pages, smtp, caplog):
    h = harness
    caplog.set_level(logging.INFO)  # before the first request: aiohttp decides per connection whether to log access
    await whole_mail_flow(h, pages)
    tokens = tokens_of(smtp.mails)
    assert len(tokens) >= 8, tokens
    # The bot's records; "mail.log" is aiosmtpd's, the SMTP sink's (the relay's own log).
    records = [r for r in caplog.records if r.levelno >= logging.INFO and r.name != "mail.log"]
    pages_logged = [r.getMessage() for r in records if r.name == "aiohttp.access" and "/p/" in r.getMessage()]
    assert any("POST /p/" in line for line in pages_logged), "the access log of the pages was captured"
    await assert_logs_name_nobody(h, "\n".join(f"{r.name}: {r.getMessage()}" for r in records), extra=tokens)
