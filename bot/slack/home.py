"""App Home: gather the person's overview and render it."""

from __future__ import annotations

from bot.context import Context
from bot.identity import slack
from bot.services.overview import my_overview
from bot.slack.blocks.common import text_reply, translator
from bot.slack.blocks.home import home_view, mine_message


async def build_for(ctx: Context, user_id: str, notice: str | None = None) -> dict:
    vm = await my_overview(ctx, slack(user_id), notice=notice)
    return home_view(vm, translator(vm["language"]))


async def mine_for(ctx: Context, user_id: str) -> dict:
    vm = await my_overview(ctx, slack(user_id))
    return mine_message(vm, translator(vm["language"]))


async def help_reply(ctx: Context, user_id: str) -> dict:
    return text_reply(translator("nl"), "home.dm_help")
