"""Who is writing: de-duplication of redelivered activities, matching people to their
Teams account on first contact, and the welcome when the app is installed."""

from __future__ import annotations

import hashlib
import logging

from microsoft_agents.hosting.core import AgentApplication, TurnContext
from sqlalchemy.exc import IntegrityError

from bot.context import Context
from bot.models import ProcessedEvent
from bot.teams import people
from bot.teams.cards.common import card, text
from bot.teams.surface import card_reply, is_personal
from bot.teams.text import translator

log = logging.getLogger("dialoogbot.teams")


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    async def before_turn(context: TurnContext, state) -> bool:
        activity = context.activity
        if activity.conversation is not None:
            chat.remember(activity.conversation.id, activity.service_url)
        if activity.type == "message" and activity.id:
            # Teams may deliver a message again (a timeout on its side): handle it once.
            digest = hashlib.sha1(f"{activity.conversation.id}|{activity.id}".encode()).hexdigest()
            try:
                async with ctx.db.transaction() as s:
                    s.add(ProcessedEvent(event_id=f"teams:{digest}", received_at=ctx.now()))
            except IntegrityError:
                log.info("Teams activity %s delivered again; ignored", activity.id)
                return False
        if activity.type in ("message", "invoke") and activity.from_property is not None:
            await people.first_contact(ctx, chat, activity)
        return True

    agent.before_turn(before_turn)

    @agent.conversation_update("membersAdded")
    async def installed(context: TurnContext, state) -> None:
        """The app was added: in a personal chat greet the person (matched by e-mail);
        in a team explain ``koppel``."""
        activity = context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = [m.id for m in activity.members_added or []]
        if bot_id not in added:
            return
        if is_personal(context):
            linked = await people.first_contact(ctx, chat, activity)
            if linked:
                tr = translator(linked[0].language)
                message = tr("teams.welcome", name=linked[0].name)
            else:
                message = translator("nl")("teams.welcome_unknown")
        else:
            message = translator("nl")("teams.welcome_team")
        reply = card_reply(context, card(text(message)), message)
        reply.entities = None  # a welcome is for everyone in the conversation
        await context.send_activity(reply)
