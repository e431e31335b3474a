"""The overview (``mijn``) card, shown again after a button on it was pressed."""

from __future__ import annotations

from bot.context import Context
from bot.identity import User
from bot.services.overview import my_overview
from bot.teams.cards.home import overview_card
from bot.teams.text import translator


async def overview(ctx: Context, user: User, notice: str | None = None) -> dict:
    vm = await my_overview(ctx, user, notice=notice)
    return overview_card(vm, translator(vm["language"]))
