"""Rows in doubt: a send whose outcome is unknown must not simply be sent again.

A row is in doubt when its process died mid-send (its lease ran out while it was
"sending") or when the platform did not answer a post (a timeout, a connection reset
after the request left: ``ChatError.unknown``).  Such a row is marked with ``last_error``
``doubt:<code>`` and, before it is sent again, the platform is asked whether the message
is there (``Chat.find_sent``, paced like every other call).  Only a definite "not there"
sends it again; a rate limit or an error while checking keeps the row in doubt and
retries the check later.  A platform that cannot tell (Teams: the Bot Framework
connector has no way to list a conversation's activities) gets the message at most once
more: a second unknown outcome marks the row failed.
"""

from __future__ import annotations

import logging

from bot.chat import Chat, ChatError
from bot.models import OutboxMessage

log = logging.getLogger(__name__)

DOUBT = "doubt:"  # the last_error prefix of a row in doubt
UNKNOWN_OUTCOME = "unknown_outcome"  # failed: sent twice without an answer, nobody can tell
CHECKED_OPS = ("direct", "channel")  # what find_sent can look for (messages, not files)
CHECK_RETRY = 5.0  # seconds before checking again after an error that gave no Retry-After


def in_doubt(row: OutboxMessage) -> bool:
    return row.status == "sending" or (row.last_error or "").startswith(DOUBT)


def can_check(chat: Chat, row: OutboxMessage) -> bool:
    return row.op in CHECKED_OPS and getattr(chat, "find_sent", None) is not None


async def check(chat: Chat, row: OutboxMessage, pacer, outcome):
    """Before resending a row in doubt: an Outcome ("sent" when the message is there,
    "pending" when the platform cannot tell now), or None to send it (definitely not
    there, or the platform has no way to tell)."""
    if not can_check(chat, row):
        return None
    called: list[str] = []

    async def pace(method: str) -> None:
        called.append(method)
        await pacer.acquire(f"{row.platform}:{method}", None)

    try:
        found = await chat.find_sent(row.target, row.key, pace=pace)
    except ChatError as exc:
        log.warning("outbox %s: could not check for an earlier send (%s); checking again later", row.key, exc.code)
        if exc.retry_after is not None:
            pacer.pause(f"{row.platform}:{called[-1] if called else 'conversations.history'}", exc.retry_after)
            return outcome("pending", error=DOUBT + "check_ratelimited", retry_in=exc.retry_after, attempt=False)
        return outcome("pending", error=DOUBT + "check_" + exc.code, retry_in=CHECK_RETRY, attempt=False)
    if found is not None:
        log.info("outbox %s: was sent before (found it), not sending again", row.key)
        return outcome("sent", ref=found)
    return None


def after_unknown(chat: Chat, row: OutboxMessage, exc: ChatError, outcome, retry_in: float):
    """The outcome of a send that got no answer: in doubt (checked before the next send),
    or failed when the platform cannot check and this already was the one more try."""
    if getattr(row, "recovered", False) and not can_check(chat, row):
        log.error("outbox %s: no answer again and no way to check (%s); not sending a third time", row.key, exc.code)
        return outcome("failed", error=UNKNOWN_OUTCOME)
    log.warning("outbox %s: unknown outcome (%s); in doubt until checked", row.key, exc.code)
    return outcome("pending", error=DOUBT + exc.code, retry_in=retry_in)
