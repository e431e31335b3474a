"""Logs without personal data: a whole flow (import, invitations, RSVP, calendar link,
memo, commitment, evaluation, summary) with every log line captured at INFO; no name,
e-mail address, platform id or secret token it used appears, not even in the access
log of the calendar URL.  (The same by e-mail: test_mail_logs.py.)"""

from __future__ import annotations

import logging

import aiohttp
from sqlalchemy import select

from bot.models import Session
from tests.e2e.privacy_flow import assert_logs_name_nobody, whole_flow


async def test_a_whole_flow_logs_no_personal_data(harness, caplog):
    h = harness
    caplog.set_level(logging.INFO)
    await whole_flow(h)
    async with h.ctx.db.sessionmaker() as s:
        tokens = [x.ics_token for x in (await s.execute(select(Session))).scalars()]
    base = h.drv.bot_url.rsplit("/slack/events", 1)[0]
    async with aiohttp.ClientSession() as http:
        for token in tokens[:2]:
            async with http.get(f"{base}/ics/{token}.ics") as resp:
                assert resp.status == 200
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert any(r.name == "aiohttp.access" and "/ics/" in r.getMessage() for r in records), "the access log was captured"
    await assert_logs_name_nobody(h, "\n".join(f"{r.name}: {r.getMessage()}" for r in records))
