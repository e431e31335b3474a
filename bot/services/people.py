"""Linking people to their chat accounts by e-mail."""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.chat import ChatError
from bot.context import Context
from bot.models import Person
from bot.slack.chat import TOKEN_REFUSED, UNREACHABLE

log = logging.getLogger(__name__)


class SlackUnavailable(Exception):
    """Slack refused the token (``reason`` "invalid_auth", ...) or could not be reached
    ("unreachable"): every look-up would fail, so none of them means "not found"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def refused(self) -> bool:
        return self.reason in TOKEN_REFUSED


async def lookup(chat, email: str) -> str | None:
    """The Slack id for ``email`` (None: not in the workspace); SlackUnavailable when
    Slack itself is the problem, ChatError for a hiccup with this one look-up."""
    try:
        return await chat.lookup_user(email)
    except ChatError as exc:
        if exc.code in TOKEN_REFUSED or exc.code == UNREACHABLE:
            raise SlackUnavailable(exc.code) from exc
        raise


async def link_unresolved(ctx: Context, trajectory_id: int) -> int:
    """Look up people without a Slack id once more (someone may have joined since).

    Runs the platform look-ups outside any transaction; returns how many were linked.
    """
    chat = ctx.chats.get("slack")
    if chat is None:
        return 0
    async with ctx.db.sessionmaker() as s:
        rows = await s.execute(
            select(Person.id, Person.email).where(
                Person.trajectory_id == trajectory_id,
                Person.active.is_(True),
                Person.slack_user_id.is_(None),
                Person.platform.is_distinct_from("teams"),
            )
        )
        missing = list(rows)
    found: dict[int, str] = {}
    for person_id, email in missing:
        try:
            user_id = await lookup(chat, email)
        except SlackUnavailable as exc:
            log.warning("looking people up stopped: Slack %s", exc.reason)
            break
        except ChatError as exc:
            log.warning("lookup of person %s failed: %s", person_id, exc.code)
            continue
        if user_id:
            found[person_id] = user_id
    if found:
        async with ctx.db.transaction() as s:
            for person_id, user_id in found.items():
                person = await s.get(Person, person_id)
                person.slack_user_id = user_id
                person.lookup_error = None
    return len(found)
