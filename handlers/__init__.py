"""Inbound adapters.  Each module has ``register(app, ctx)``; building the app only registers them."""

from slack_bolt.async_app import AsyncApp

from bot.context import Context
from handlers import attendance, commands, commitments, errors, evaluations, events, invitations, memos, middleware, signoff, summary

MODULES = (errors, middleware, events, commands, invitations, commitments, memos, evaluations, summary, signoff, attendance)


def register_all(app: AsyncApp, ctx: Context) -> None:
    for module in MODULES:
        module.register(app, ctx)


def register_commands() -> None:
    """The views and forms that Slack and Teams subcommands share (no Slack app needed):
    each module's optional ``register_commands()``.  Which word runs which handler is
    the static table in ``handlers.command_table``."""
    for module in MODULES:
        hook = getattr(module, "register_commands", None)
        if hook is not None:
            hook()
