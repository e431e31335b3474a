"""Who is writing: de-duplication of redelivered activities, matching people to their
Teams account on first contact, and the welcome when the app is installed."""

from __future__ import annotations

import hashlib
import logging
from functools import partial, update_wrapper

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot.context import Context
from bot.services import events
from bot.teams import people
from bot.teams.cards.common import card, text
from bot.teams.surface import card_reply, is_personal
from bot.teams.text import translator

log = logging.getLogger("dialoogbot.teams")


async def before_turn(ctx: Context, chat, context: TurnContext, state) -> bool:
    activity = context.activity
    if activity.conversation is not None:
        chat.remember(activity.conversation.id, activity.service_url)
    if activity.type == "message" and activity.id:
        # Teams may deliver a message again (a timeout on its side): handle it once.
        digest = hashlib.sha1(f"{activity.conversation.id}|{activity.id}".encode()).hexdigest()
        if not await events.first_delivery(ctx, f"teams:{digest}"):
            log.info("Teams activity %s delivered again; ignored", activity.id)
            return False
    if activity.type in ("message", "invoke") and activity.from_property is not None:
        await people.first_contact(ctx, chat, activity)
    return True


async def welcome(ctx: Context, chat, context: TurnContext) -> str:
    """In a personal chat: greet the person (matched by e-mail); in a team: explain ``koppel``."""
    if not is_personal(context):
        return translator("nl")("teams.welcome_team")
    linked = await people.first_contact(ctx, chat, context.activity)
    if not linked:
        return translator("nl")("teams.welcome_unknown")
    return translator(linked[0].language)("teams.welcome", name=linked[0].name)


async def installed(ctx: Context, chat, context: TurnContext, state) -> None:
    """The app was added to a conversation: one welcome for everyone in it."""
    activity = context.activity
    bot_id = activity.recipient.id if activity.recipient else None
    if bot_id not in [m.id for m in activity.members_added or []]:
        return
    message = await welcome(ctx, chat, context)
    reply = card_reply(context, card(text(message)), message)
    reply.entities = None  # a welcome is for everyone in the conversation
    await context.send_activity(reply)


def bound(handler, *args):
    """``handler`` with its first arguments given, keeping its name (the SDK logs it)."""
    return update_wrapper(partial(handler, *args), handler)


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    agent.before_turn(bound(before_turn, ctx, chat))
    agent.conversation_update("membersAdded")(bound(installed, ctx, chat))
