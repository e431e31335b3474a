"""Reading a Teams roster: every call paced, and tried again on a 429 (after its
Retry-After) and on transient errors (412, 5xx, a reset connection, a timeout), so a
busy tenant never turns a member into "not in the team".  That answer comes only
from a roster read to its last page, or from a definite 404 for that one member.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import partial

from bot.chat import ChatError
from scheduling.ratelimit import Pacer, paced_retry

OPERATION = "teams:roster"
# Teams allows 50 requests a second per app per tenant and, per conversation thread (a
# team), 14 roster reads a second and 3,600 an hour.  A page holds up to 500 members,
# so a team of 2,000 people is 4 reads.
PER_MINUTE = 600
PAGE_SIZE = 500
MAX_PAGES = 200  # a continuation token that never ends is a connector bug, not a roster
# Per call; a person waits for ``koppel``'s answer, so the pauses stay short (about 20 s
# in all, plus what Retry-After asks).
ATTEMPTS = 5
BACKOFF = (1.0, 2.0, 5.0, 10.0)


@dataclass
class RosterRead:
    members: list[dict] = field(default_factory=list)
    error: str | None = None  # why the read stopped before its last page (it kept failing)

    @property
    def complete(self) -> bool:
        return self.error is None


class Roster:
    """The roster calls of one Teams chat (``TeamsChat.roster``)."""

    def __init__(self, chat, pacer: Pacer | None = None, sleep=asyncio.sleep):
        self.chat = chat
        self.pacer = pacer or Pacer({OPERATION: PER_MINUTE}, default_per_minute=PER_MINUTE)
        self.sleep = sleep

    async def _call(self, call):
        return await paced_retry(self.pacer, OPERATION, call, attempts=ATTEMPTS, backoff=BACKOFF, sleep=self.sleep)

    async def members(self, team_id: str, service_url: str | None) -> RosterRead:
        """The whole roster, page by page.  A page that keeps failing ends the read (the
        pages before it are kept, ``error`` says why); a permanent error (the bot is not
        in the team) is raised."""
        read = RosterRead()
        token: str | None = None
        for _ in range(MAX_PAGES):
            try:
                page, token = await self._call(partial(self.chat.members_page, team_id, service_url, token, PAGE_SIZE))
            except ChatError as exc:
                if exc.permanent:
                    raise
                read.error = exc.code
                return read
            read.members += page
            if not token:
                return read
        read.error = "too_many_pages"
        return read

    async def member(self, conversation_id: str, user_id: str, service_url: str | None) -> dict | None:
        """One member (None: Teams says there is no such member); ChatError when the
        call kept failing."""
        return await self._call(partial(self.chat.member, conversation_id, user_id, service_url))
