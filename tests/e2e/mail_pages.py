"""A person on e-mail, end to end: ``platform: email`` in the trajectory file, the mails
the SMTP sink received (``tests/smtp_server.py``), the personal links in them, and the
pages behind those links (GET shows, POST with the page's own CSRF token answers), as
the person's mail client and browser would use them.

    from tests.e2e.mail_pages import pages  # noqa: F401  (the fixture)
    from tests.mail.fixtures import *  # noqa: F401,F403  (smtp, public_url, extra_env)
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Iterable

import aiohttp
import pytest
import yaml

from tests.e2e.conftest import dump
from tests.mail.helpers import PUBLIC, links_of, text_of, token_and_choice
from tests.web.conftest import Web
from tests.web.conftest import text_of as page_text

Key = tuple[str, "str | None"]  # (purpose, choice)


def on_email(text: str, emails: Iterable[str]) -> str:
    """The trajectory file ``text`` with ``platform: email`` for these people."""
    data = yaml.safe_load(text)
    wanted = set(emails)
    for person in data["people"]:
        if person["email"] in wanted:
            person["platform"] = "email"
    return dump(data)


def links_by_purpose(ctx, mail: EmailMessage) -> dict[Key, str]:
    """(purpose, choice) -> the page's path (with its query), for every personal link in the mail."""
    found = {}
    for url in links_of(mail):
        token, choice = token_and_choice(url)
        grant = ctx.links.read(token, ctx.now())
        found[(grant.purpose, choice)] = url.replace("&amp;", "&")[len(PUBLIC):]
    return found


def tokens_of(mails: Iterable[EmailMessage]) -> set[str]:
    """Every link token in these mails."""
    return {token_and_choice(url)[0] for mail in mails for url in links_of(mail)}


class Pages:
    """The mails one person got and the pages their links open."""

    def __init__(self, h, smtp, web: Web):
        self.h, self.smtp, self.web = h, smtp, web

    def mails(self, email: str, containing: str | None = None) -> list[EmailMessage]:
        return [m for m in self.smtp.to(email) if containing is None or containing in text_of(m)]

    def link(self, email: str, purpose: str, choice: str | None = None, containing: str | None = None) -> str:
        """The path of the newest link for (purpose, choice) in the mails to ``email``."""
        for mail in reversed(self.mails(email, containing)):
            found = links_by_purpose(self.h.ctx, mail).get((purpose, choice))
            if found:
                return found
        raise AssertionError(f"no mail to {email} has a {purpose}/{choice} link (containing {containing!r})")

    async def answer(self, email: str, purpose: str, form: dict, choice: str | None = None, containing: str | None = None) -> str:
        """Open the link from the mail, POST the page's form, follow the redirect: the
        confirmation page's text."""
        path = self.link(email, purpose, choice, containing).split("?")[0]
        shown = await self.web.get(path)
        assert shown.status == 200, (path, page_text(shown.text))
        return page_text((await self.web.submit(path, form)).text)

    async def status_of(self, path: str) -> int:
        """The HTTP status of GET on a page (200: it works; 403/410: refused)."""
        return (await self.web.get(path.split("?")[0])).status


@pytest.fixture
async def pages(harness, smtp):
    async with aiohttp.ClientSession() as client:
        yield Pages(harness, smtp, Web(harness, client))
