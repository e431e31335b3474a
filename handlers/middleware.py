"""Bolt middleware: what every Slack listener gets in its ``context``.

- ``context["ctx"]``: the bot's Context (database, clock, chats);
- ``context["user"]``: the acting platform user (``User("slack", ...)``), or None;
- ``context["tr"]``: a translator in the acting person's language.

Listeners stay at module level and read these; they never look people up themselves.

Before that, every string in the payload loses the characters no database keeps
(``bot.limits.storable``): a NUL typed in a command or any form field is taken out once,
here, for every listener (Teams does the same in ``handlers.teams.register_all``).
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.context import Context
from bot.identity import slack
from bot.limits import storable
from bot.slack.blocks.common import translator


log = logging.getLogger("dialoogbot.edge")


def register(app: AsyncApp, ctx: Context) -> None:
    @app.middleware
    async def storable_text(body: dict, next):
        try:
            storable(body)  # in place: the listeners' view, action and values are parts of it
        except RecursionError:
            log.info("slack request refused (400): nested too deeply")
            return BoltResponse(status=400, body="")
        return await next()

    @app.middleware
    async def acting_person(context, body: dict, next):
        user_id = context.user_id
        lang = "nl"
        if user_id and (body.get("type") in ("block_actions", "view_submission", "view_closed") or body.get("command")):
            lang = await ctx.languages.of(slack(user_id))  # before the ack: no query per click
        context["ctx"] = ctx
        context["user"] = slack(user_id) if user_id else None
        context["tr"] = translator(lang)
        return await next()
