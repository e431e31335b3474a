"""Teams routes (Agents SDK).  Each module has ``register(agent, ctx, chat)``; building
the Teams app does nothing but register them.  Card buttons come before the catch-all
message route (``RouteRank.LAST``), or that route would take the ``Action.Submit``s."""

from __future__ import annotations

from microsoft_agents.hosting.core import AgentApplication

from bot.context import Context
from handlers import register_commands
from handlers.teams import attendance, commands, commitments, common, evaluations, identity, invitations, memos, signoff, summary

MODULES = (identity, invitations, commitments, memos, evaluations, summary, signoff, attendance, commands)


def register_all(agent: AgentApplication, ctx: Context, chat) -> None:
    register_commands()
    agent.before_turn(common.storable_activity)  # first: what every route reads is storable
    for module in MODULES:
        module.register(agent, ctx, chat)
