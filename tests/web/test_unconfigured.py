"""Without SECRET_KEY there are no personal links: /p/... is a friendly 404 page."""

from __future__ import annotations

import aiohttp
import pytest

from tests.web.conftest import text_of


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {}


async def test_no_secret_key_no_pages(harness):
    base = harness.drv.bot_url.rsplit("/slack/events", 1)[0]
    async with aiohttp.ClientSession() as client:
        for method in ("GET", "POST"):
            async with client.request(method, base + "/p/WzEsIm1pbmUiLG51bGwsMV0.abc", allow_redirects=False) as r:
                assert r.status == 404
                text = text_of(await r.text())
                assert "Persoonlijke pagina's staan op deze server uit." in text and "Traceback" not in text
