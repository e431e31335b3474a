"""Shared steps of the dashboard tests: sign in, read the page, count outbox rows."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import OutboxMessage
from tests.dashboard.conftest import sign_in
from tests.e2e.conftest import HITTEPLAN, TREKKER

PAGE = f"/dashboard/{HITTEPLAN}"


async def signed_in(dash, web, email: str = TREKKER) -> str:
    """Sign in and return the CSRF token of the dashboard page."""
    await sign_in(dash, web, email)
    page = await web.get(PAGE)
    assert page.status == 200, page.text[:500]
    return page.csrf


async def act(web, csrf: str | None, action: str, **fields):
    data = dict(fields)
    if csrf is not None:
        data["csrf"] = csrf
    return await web.post(f"{PAGE}/actie/{action}", data)


async def rows(dash, template: str) -> list[OutboxMessage]:
    async with dash.h.ctx.db.sessionmaker() as s:
        return list((await s.execute(select(OutboxMessage).where(OutboxMessage.template == template))).scalars())


async def outbox_count(dash) -> int:
    async with dash.h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()
