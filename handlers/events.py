"""Events: App Home and direct messages to the bot."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.context import Context
from bot.slack import home


def register(app: AsyncApp, ctx: Context) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict, client):
        if event.get("tab", "home") != "home":
            return
        view = await home.build_for(ctx, event["user"])
        await client.views_publish(user_id=event["user"], view=view)

    @app.event("message")
    async def direct_message(event: dict, say):
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        await say(**await home.help_reply(ctx, event["user"]))
