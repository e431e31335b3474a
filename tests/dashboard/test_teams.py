"""``dashboard`` in Teams: the link, answered in the trekker's 1:1 chat; the session acts
as the trekker's Teams user (the use cases check the trekker themselves)."""

from __future__ import annotations

import re

import pytest

from bot.identity import User
from bot.web import dashboard_auth
from bot.web.links import LinkSigner
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)

TREKKER = "trekker@voorbeeldstad.example"
GGD = "ambassadeur@ggd.example"
PUBLIC = "https://dialoog.example"


@pytest.fixture
def public_url() -> str:
    return PUBLIC


async def test_dashboard_in_teams_gives_the_trekker_a_link(th):
    th.bot.ctx.links = LinkSigner("teams-dashboard-secret", PUBLIC)
    await th.import_example()
    refused = await th.say(GGD, "dashboard")
    assert "alleen een trekker" in refused.text and "/dashboard/in/" not in refused.text
    r = await th.say(TREKKER, "dashboard")
    found = re.search(r"https://dialoog\.example/dashboard/in/([A-Za-z0-9_-]+)", r.text)
    assert found, r.text
    started = await dashboard_auth.redeem(th.ctx, found.group(1))
    signed = await dashboard_auth.current(th.ctx, started.token)
    assert signed.user == User("teams", th.tid(TREKKER))
    assert await dashboard_auth.redeem(th.ctx, found.group(1)) == "used"
