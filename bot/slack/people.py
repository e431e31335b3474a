"""Finding people in the Slack workspace by e-mail (the people port for Slack).

``users.lookupByEmail`` is a Tier 3 method (50+ calls a minute).  Every look-up is
paced (``scheduling.ratelimit.Pacer``, ``SLACK_LOOKUP_PER_MINUTE``) and retried on a
429 (after its Retry-After) and on transient errors (5xx, timeouts), so a busy
workspace never turns a person into "not found": that answer comes only from Slack's
definite ``users_not_found``.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Awaitable, Callable

from bot.chat import Chat, ChatError
from bot.people_port import PlatformUnavailable
from bot.slack.chat import NOT_ALLOWED, TOKEN_REFUSED, UNREACHABLE
from scheduling.ratelimit import Pacer, paced_retry

METHOD = "slack:lookup"


def pacer_for(per_minute: float) -> Pacer:
    return Pacer({METHOD: per_minute}, default_per_minute=per_minute)


class SlackPeopleFinder:
    platform = "slack"

    def __init__(self, chat: Chat, pacer: Pacer | None = None, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.chat = chat
        self.pacer = pacer or pacer_for(50)
        self.sleep = sleep

    async def find(self, email: str) -> str | None:
        """The Slack id for ``email`` (None: Slack says not in the workspace).

        PlatformUnavailable when Slack refused the token, will not let the app look people
        up (``missing_scope``, ...: the same answer for everyone) or could not be reached;
        ChatError (not permanent) when this look-up kept failing: unknown, not "not found"."""
        try:
            return await paced_retry(self.pacer, METHOD, partial(self.chat.lookup_user, email), fatal=_platform_down, sleep=self.sleep)
        except ChatError as exc:
            if _platform_down(exc):
                raise PlatformUnavailable("slack", exc.code, _problem(exc.code)) from exc
            raise


def _problem(code: str) -> str:
    return "token" if code in TOKEN_REFUSED else "permission" if code in NOT_ALLOWED else "unreachable"


def _platform_down(exc: ChatError) -> bool:
    return exc.code in TOKEN_REFUSED or exc.code in NOT_ALLOWED or exc.code == UNREACHABLE
