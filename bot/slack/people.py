"""Finding people in the Slack workspace by e-mail (the people port for Slack)."""

from __future__ import annotations

from bot.chat import Chat, ChatError
from bot.people_port import PlatformUnavailable
from bot.slack.chat import TOKEN_REFUSED, UNREACHABLE


class SlackPeopleFinder:
    platform = "slack"

    def __init__(self, chat: Chat):
        self.chat = chat

    async def find(self, email: str) -> str | None:
        """The Slack id for ``email`` (None: not in the workspace); PlatformUnavailable when
        Slack refused the token or could not be reached, ChatError for a hiccup with this one."""
        try:
            return await self.chat.lookup_user(email)
        except ChatError as exc:
            if exc.code in TOKEN_REFUSED or exc.code == UNREACHABLE:
                raise PlatformUnavailable("slack", exc.code, refused=exc.code in TOKEN_REFUSED) from exc
            raise
