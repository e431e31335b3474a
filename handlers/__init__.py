"""Inbound adapters.  Each module has ``register(app, ctx)``; building the app only registers them."""

from slack_bolt.async_app import AsyncApp

from bot.context import Context
from handlers import commands, commitments, errors, events, invitations

MODULES = (errors, events, commands, invitations, commitments)


def register_all(app: AsyncApp, ctx: Context) -> None:
    for module in MODULES:
        module.register(app, ctx)
