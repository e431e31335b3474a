"""A commitment owner whose Slack account cannot be found."""

import pytest
from sqlalchemy import select

from bot.models import OutboxMessage
from tests.conftest import local
from tests.e2e.test_commitments import LINDE, TREKKER, all_text, at


@pytest.fixture
def unknown_emails():
    return {LINDE}


async def test_owner_without_slack_account_is_reported_to_the_trekker(harness):
    h = harness
    await h.import_example()
    await at(h, local(2027, 3, 30, 9, 0))
    await at(h, local(2027, 4, 6, 9, 0))
    told = [m for m in h.emu.dm(h.uid(TREKKER)) if "niet bereiken" in all_text(m)]
    assert len(told) == 1 and LINDE in all_text(told[0])
    async with h.ctx.db.sessionmaker() as s:
        failed = (await s.execute(select(OutboxMessage).where(OutboxMessage.status == "failed"))).scalars().all()
    assert failed == []
