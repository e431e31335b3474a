"""Shared plumbing of the Teams handlers: who clicked, one registration for both kinds
of card button, and how an answer goes back (a refreshed card, or a short message)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from microsoft_agents.activity import Activity, AdaptiveCardInvokeResponse, Attachment
from microsoft_agents.hosting.core import AgentApplication, TurnContext
from pydantic import BaseModel

from bot.context import Context
from bot.i18n import Translator
from bot.identity import User
from bot.limits import has_unstorable, storable
from bot.teams.cards import attachment
from bot.teams.cards.common import card, text
from bot.teams.surface import card_reply
from bot.teams.text import plain, to_markdown, translator

CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"


@dataclass
class Answer:
    """What a button press leads to: ``card`` replaces the card that was pressed;
    ``text`` (catalog text, user parts marked) is a short message to the presser."""

    card: dict | None = None
    text: str | None = None
    reply: dict | None = None  # a card sent as a new message (e.g. an overview asked for from a button)


CardHandler = Callable[[TurnContext, dict], Awaitable[Answer]]


def teams_user(context: TurnContext) -> User:
    return User("teams", context.activity.from_property.id)


async def acting(ctx: Context, context: TurnContext) -> tuple[User, Translator]:
    """Who pressed, and a translator in their language (Teams' counterpart of the Slack
    middleware ``handlers.middleware``)."""
    user = teams_user(context)
    return user, translator(await ctx.languages.of(user))


async def storable_activity(context: TurnContext, state) -> bool:
    """Before every turn: the activity without the characters no database keeps (Slack's
    counterpart is the first middleware in ``handlers.middleware``); the rule is
    ``bot.limits.storable``."""
    _storable_model(context.activity)
    return True


def _storable_model(model: Any) -> None:
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        if isinstance(value, BaseModel):
            _storable_model(value)
        elif isinstance(value, str) and has_unstorable(value):
            setattr(model, name, storable(value))
        elif isinstance(value, dict):
            storable(value)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    _storable_model(item)
                else:
                    value[i] = storable(item)


def on_card(agent: AgentApplication, verb: str, handler: CardHandler) -> None:
    """Register ``handler`` for ``Action.Execute`` (an invoke: answered with the new card
    or a message) and for the ``Action.Submit`` fallback (a message with a value: the
    card is replaced in place with PUT, the text is a reply)."""

    @agent.adaptive_card.action_execute(verb)
    async def execute(context: TurnContext, state, data) -> AdaptiveCardInvokeResponse:
        answer = await handler(context, dict(data or {}))
        if answer.reply is not None:
            await context.send_activity(card_reply(context, answer.reply))
        if answer.card is not None:
            return AdaptiveCardInvokeResponse(status_code=200, type=CARD_RESPONSE, value=answer.card)
        return AdaptiveCardInvokeResponse(status_code=200, type=MESSAGE_RESPONSE, value=plain(to_markdown(answer.text or "")))

    @agent.adaptive_card.action_submit(verb)
    async def submit(context: TurnContext, state, data) -> None:
        answer = await handler(context, dict(data or {}))
        if answer.reply is not None:
            await context.send_activity(card_reply(context, answer.reply))
        if answer.card is not None and context.activity.reply_to_id:
            update = Activity(type="message", id=context.activity.reply_to_id, attachments=[Attachment(**attachment(answer.card))])
            await context.update_activity(update)
        if answer.text:
            await context.send_activity(card_reply(context, card(text(answer.text)), answer.text))
