"""Shared steps of the tests of a trekker on e-mail: everyone of the hitteplan on e-mail
(the SMTP sink), the invitations sent as the trekker, the links in the mails they get."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot import identity
from bot.interactions import invitations as invitations_uc
from bot.models import Trajectory
from tests.conftest import example, people_of
from tests.dashboard.conftest import LINK
from tests.e2e.conftest import HITTEPLAN, TREKKER
from tests.mail.helpers import MAIL_FROM, html_of, text_of
from tests.smtp_server import SmtpSink

HREF = re.compile(r'href="(https?://[^"]+/p/[^"?]+)"')
ON_MAIL = {email for email, _ in people_of(example("hitteplan.yaml"))}  # the neerslag stays on Slack


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def unknown_emails() -> set[str]:
    return set(ON_MAIL)


@pytest.fixture
def extra_env(smtp) -> dict[str, str]:
    return {"SMTP_URL": smtp.url, "MAIL_FROM": MAIL_FROM}


async def trajectory_id(dash, key: str = HITTEPLAN) -> int:
    async with dash.h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Trajectory.id).where(Trajectory.key == key))).scalar_one()


async def invited(dash) -> None:
    """The hitteplan imported and ``start``'s invitations mailed, sent by the trekker on e-mail."""
    await dash.h.import_example()
    await invitations_uc.invite(dash.h.ctx, identity.email(TREKKER), await trajectory_id(dash), "start")
    await dash.h.drain()


def mine_link(dash, smtp, email: str) -> str:
    """The link to the page "Wat wacht er op mij" in the person's latest mail."""
    for url in HREF.findall(html_of(smtp.to(email)[-1])):
        token = url.rsplit("/", 1)[1]
        if dash.h.ctx.links.read(token, dash.h.ctx.now()).purpose == "mine":
            return url
    raise AssertionError(f"no link to 'Wat wacht er op mij' in the mail to {email}")


def sign_in_mails(smtp, email: str = TREKKER) -> list:
    return [m for m in smtp.to(email) if "inloglink voor het dashboard" in str(m["Subject"])]


def sign_in_link(mail) -> str:
    links = set(LINK.findall(text_of(mail)))
    assert len(links) == 1, text_of(mail)
    return links.pop()
