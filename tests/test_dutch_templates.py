"""The Dutch catalog speaks to people as "je", never as "u"."""

from __future__ import annotations

import re

from bot.i18n import catalog

FORMAL = re.compile(r"(?<![\w-])(u|uw|uzelf)(?![\w-])", re.IGNORECASE)


def test_no_dutch_text_says_u_or_uw():
    formal = {key: value for key, value in catalog("nl").items() if isinstance(value, str) and FORMAL.search(value)}
    assert formal == {}


def test_the_check_finds_u_and_uw():
    assert FORMAL.search("Graag uw besluit") and FORMAL.search("U kunt kiezen")
    assert not FORMAL.search("Je kunt kiezen uit: u-bocht, uur, nu, jouw")
