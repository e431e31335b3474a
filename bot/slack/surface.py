"""How a ``/dialoog`` subcommand shows things in Slack: ephemeral answers through the
command's ``response_url`` and modals opened with its ``trigger_id``.

Subcommand handlers do not build Block Kit themselves; they call ``call.say``,
``call.say_lines``, ``call.show(view, vm)`` and ``call.open_form(form, vm)`` and the
surface of the platform renders them (Teams has its own in ``bot.teams.surface``).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from bot.i18n import Translator
from bot.slack.blocks.common import lines_reply, message, section, translator
from bot.slack.blocks.commitments import add_modal
from bot.slack.blocks.home import mine_message
from bot.slack.blocks.invitations import rsvp_status

Builder = Callable[[dict, Translator], dict]

# Answers shown to the one person who typed the command (view name -> builder).
VIEWS: dict[str, Builder] = {
    "rsvp_status": rsvp_status,
    "mine": mine_message,
}

# Modals a command opens (form name -> builder of the view).
FORMS: dict[str, Builder] = {
    "commitment_add": add_modal,
}


def add_view(name: str, builder: Builder) -> None:
    VIEWS[name] = builder


def add_form(name: str, builder: Builder) -> None:
    FORMS[name] = builder


class SlackSurface:
    platform = "slack"

    def __init__(self, respond: Callable[..., Awaitable[Any]] | None, client: Any = None, trigger_id: str | None = None):
        self.respond = respond
        self.client = client
        self.trigger_id = trigger_id

    def translator(self, lang: str | None) -> Translator:
        return translator(lang or "nl")

    async def _ephemeral(self, body: dict) -> None:
        await self.respond(response_type="ephemeral", replace_original=False, **body)

    async def text(self, text: str) -> None:
        await self._ephemeral(message(text, [section(text)]))

    async def lines(self, lines: list[str]) -> None:
        await self._ephemeral(lines_reply(lines))

    async def show(self, view: str, vm: dict, tr: Translator) -> None:
        await self._ephemeral(VIEWS[view](vm, tr))

    async def open_form(self, form: str, vm: dict, tr: Translator) -> None:
        await self.client.views_open(trigger_id=self.trigger_id, view=FORMS[form](vm, tr))
