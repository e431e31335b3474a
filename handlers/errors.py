"""One error handler (logs with a correlation id, tells the user) and event de-duplication."""

from __future__ import annotations

import logging
import uuid

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.context import Context
from bot.services import events
from bot.slack.blocks.common import text_reply, translator
from handlers.edge import VERIFIED

log = logging.getLogger("dialoogbot.handlers")


def register(app: AsyncApp, ctx: Context) -> None:
    @app.middleware
    async def once_per_event(body: dict, next):
        """Slack may deliver an event again (X-Slack-Retry-Num); handle each event_id once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            if not await events.first_delivery(ctx, event_id):
                log.info("event %s delivered again; ignored", event_id)
                return BoltResponse(status=200, body="")
        return await next()

    @app.error
    async def on_error(error: Exception, body: dict, request=None, respond=None):
        code = uuid.uuid4().hex[:8]
        kind = body.get("type") or body.get("command") if isinstance(body, dict) else None
        if not verified(request):  # never answer, nor call anything, for a request not from Slack
            log.warning("error %s on an unverified request (%s); not answered: %r", code, kind, error)
            return
        log.error("error %s while handling %s: %r", code, kind, error, exc_info=error)
        if respond is not None and (body.get("response_url") or body.get("command")):
            try:
                await respond(**text_reply(translator("nl"), "command.error", code=code), response_type="ephemeral")
            except Exception:  # the user could not be told; the log has it
                log.warning("could not tell the user about error %s", code)


def verified(request) -> bool:
    """Whether Bolt's request came through a verification: the HTTP endpoint's (which
    marks the context) or Socket Mode's authenticated connection."""
    if request is None:
        return False
    return request.mode == "socket_mode" or bool(request.context.get(VERIFIED))
