"""How a command shows things in Teams: a reply with an Adaptive Card in the same
conversation.  In a channel or group chat the reply is *targeted* (only the person who
typed the command sees it), the Teams counterpart of Slack's ephemeral answers."""

from __future__ import annotations

from microsoft_agents.activity import Activity, Attachment
from microsoft_agents.hosting.core import TurnContext

from bot.i18n import Translator
from bot.teams.cards import FORMS, VIEWS, attachment
from bot.teams.cards.common import card, text
from bot.teams.text import summary_text, translator


def is_personal(context: TurnContext) -> bool:
    conversation = context.activity.conversation
    return (getattr(conversation, "conversation_type", None) or "personal") == "personal"


def card_reply(context: TurnContext, card_: dict, summary: str | None = None) -> Activity:
    activity = Activity(type="message", attachments=[Attachment(**attachment(card_))])
    if summary:
        activity.summary = summary_text(summary)[:250]
    if not is_personal(context) and context.activity.from_property is not None:
        activity.make_targeted_activity(context.activity.from_property)
    return activity


class NotOnThisPlatform(Exception):
    """A command reached for something Teams does not have (yet): a Slack-only tool or
    a view / form without a Teams card.  The user is told so; nothing happened."""


class TeamsSurface:
    platform = "teams"

    def __init__(self, context: TurnContext):
        self.context = context
        self.sent: list[dict] = []

    def translator(self, lang: str | None) -> Translator:
        return translator(lang or "nl")

    async def send_card(self, card_: dict, summary: str | None = None) -> None:
        self.sent.append(card_)
        await self.context.send_activity(card_reply(self.context, card_, summary))

    async def text(self, text_: str) -> None:
        await self.send_card(card(text(text_)), text_)

    async def lines(self, lines: list[str]) -> None:
        body = []
        for index, line in enumerate(lines[:40]):
            blocks = text(line, spacing="Small" if index else None)
            body += blocks
        await self.send_card(card(body), lines[0] if lines else None)

    async def show(self, view: str, vm: dict, tr: Translator) -> None:
        if view not in VIEWS:
            raise NotOnThisPlatform(view)
        await self.send_card(VIEWS[view](vm, tr))

    async def open_form(self, form: str, vm: dict, tr: Translator) -> None:
        if form not in FORMS:
            raise NotOnThisPlatform(form)
        await self.send_card(FORMS[form](vm, tr))
