"""Logs without personal data: a whole flow (import, invitations, RSVP, calendar link,
memo, commitment, evaluation, summary) with every log line captured at INFO; no name,
e-mail address, platform id or secret token it used appears, not even in the access
log of the calendar URL."""

from __future__ import annotations

import logging

import aiohttp
from sqlalchemy import select

from bot.models import Person, Session
from tests.conftest import SIGNING_SECRET, TOKEN
from tests.e2e.privacy_flow import ANSWER, NOTE, whole_flow


async def test_a_whole_flow_logs_no_personal_data(harness, caplog):
    h = harness
    caplog.set_level(logging.INFO)
    await whole_flow(h)
    async with h.ctx.db.sessionmaker() as s:
        people = (await s.execute(select(Person))).scalars().all()
        tokens = [x.ics_token for x in (await s.execute(select(Session))).scalars()]
    base = h.drv.bot_url.rsplit("/slack/events", 1)[0]
    async with aiohttp.ClientSession() as http:
        for token in tokens[:2]:
            async with http.get(f"{base}/ics/{token}.ics") as resp:
                assert resp.status == 200
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    logged = "\n".join(f"{r.name}: {r.getMessage()}" for r in records)
    assert any(r.name == "aiohttp.access" and "/ics/" in r.getMessage() for r in records), "the access log was captured"
    secrets = {TOKEN, SIGNING_SECRET, NOTE, ANSWER, *tokens}
    for p in people:
        secrets |= {p.name, p.email, p.slack_user_id, p.teams_user_id}
    leaked = sorted(s for s in secrets if s and s in logged)
    assert not leaked, leaked
