"""The people port: find a person's account on a chat platform by e-mail.

Services, the importer and commands ask ``ctx.finders[platform].find(email)`` and never
talk to a platform themselves; ``bot.app.bootstrap`` wires one finder per platform that
can look people up (Slack: ``bot.slack.people``; Teams links people from the team
roster and on first contact instead, see ``bot.teams.people``).
"""

from __future__ import annotations

from typing import Protocol


class PlatformUnavailable(Exception):
    """The platform itself is the problem: every look-up would fail, so none of them
    means "not found".  ``problem``: "token" (our credentials refused), "permission" (the
    app may not look people up: a missing scope, a workspace rule) or "unreachable".
    ``refused``: a configuration error, not a hiccup."""

    def __init__(self, platform: str, reason: str, problem: str = "unreachable"):
        super().__init__(reason)
        self.platform = platform
        self.reason = reason
        self.problem = problem

    @property
    def refused(self) -> bool:
        return self.problem != "unreachable"


class PeopleFinder(Protocol):
    platform: str

    async def find(self, email: str) -> str | None:
        """The platform user id for ``email``; None when the platform does not know it.

        Raises PlatformUnavailable when the platform is the problem, ``bot.chat.ChatError``
        for a hiccup with this one look-up."""
