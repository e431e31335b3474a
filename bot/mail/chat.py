"""The e-mail implementation of the chat port: each outbox row is one mail over SMTP
(``aiosmtplib``: STARTTLS on submission port 587, TLS from the start for smtps://,
login from SMTP_URL).

Errors: a 4xx reply, a lost or refused connection or a timeout is temporary (the
dispatcher retries with backoff); a 5xx reply (unknown mailbox, rejected) is permanent:
the row fails and the trekker is told.  A mail cannot be changed once sent, so
``update`` does nothing: the notices about a change (with the new calendar entry) are
mails of their own."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Awaitable, Callable

import aiosmtplib

from bot.chat import ChatError, FileUpload, MessageRef, OutMessage
from bot.clock import Clock
from bot.mail import message as mime
from bot.mail.lookup import Details
from bot.mail.render import render, render_file
from bot.settings import MailServer, Settings
from bot.web.links import LinkSigner

log = logging.getLogger(__name__)

IDLE_SECONDS = 20.0  # a kept SMTP connection is used again only this long after its last mail

# Login refused: a setting to fix, not a reason to fail every mail for good.
TEMPORARY_5XX = {530, 534, 535, 538}


def to_chat_error(exc: Exception) -> ChatError:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    code = getattr(exc, "code", None)
    if isinstance(code, int) and 500 <= code < 600 and code not in TEMPORARY_5XX:
        return ChatError(f"smtp_{code}", permanent=True)
    if isinstance(code, int) and code >= 400:
        return ChatError(f"smtp_{code}", permanent=False)
    return ChatError(type(exc).__name__, permanent=False)


class MailChat:
    platform = "email"

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        links: Callable[[], Awaitable[LinkSigner | None]],
        details: Callable[[int | None, OutMessage | None], Awaitable[Details]],
        timeout: float = 30.0,
    ):
        self.server: MailServer = settings.smtp
        self.mail_from = settings.mail_from
        self.reply_to = settings.mail_reply_to
        self.clock = clock
        self._links = links
        self._details = details
        self.timeout = timeout
        self._idle: list[tuple[float, aiosmtplib.SMTP]] = []  # (last used, client): connections to use again

    async def lookup_user(self, email: str) -> str | None:
        return email

    async def send_direct(self, user_id: str, message: OutMessage) -> MessageRef:
        details = await self._details(message.person_id, message)
        now = self.clock.now()
        mail = render(message, await self._links(), now)
        msg = mime.build(mail, to=user_id, name=details.name, mail_from=self.mail_from, reply_to=self.reply_to or details.reply_to,
                         key=message.key or f"{message.template}:{user_id}:{now.isoformat()}", now=now, calendar=details.calendar)
        return await self._send(user_id, msg)

    async def update(self, ref: MessageRef, message: OutMessage) -> MessageRef:
        return ref

    async def post_channel(self, channel: str, message: OutMessage, thread: MessageRef | None = None) -> MessageRef:
        raise ChatError("email_has_no_channels", permanent=True)

    async def send_file(self, target: str, upload: FileUpload, thread: MessageRef | None = None) -> MessageRef:
        details = await self._details(upload.person_id, None)
        now = self.clock.now()
        mail = render_file(upload.title, upload.comment, upload.language, upload.person_id, await self._links(), now)
        msg = mime.build(mail, to=target, name=details.name, mail_from=self.mail_from, reply_to=self.reply_to or details.reply_to,
                         key=upload.key or f"file:{target}:{upload.filename}", now=now, attachment=upload)
        return await self._send(target, msg)

    async def _send(self, recipient: str, msg) -> MessageRef:
        client = None
        try:
            client, reused = await self._connection()
            try:
                await client.send_message(msg, sender=mime.address_of(self.mail_from), recipients=[recipient])
            except aiosmtplib.SMTPServerDisconnected:
                if not reused:
                    raise
                client.close()  # the server hung up a kept connection: once more on a new one
                client, _ = await self._connection(fresh=True)
                await client.send_message(msg, sender=mime.address_of(self.mail_from), recipients=[recipient])
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            if client is not None:
                client.close()  # never keep a connection in an unknown state
            error = to_chat_error(exc)
            log.warning("mail to outbox recipient failed: %s", error.code)
            raise error from exc
        self._idle.append((time.monotonic(), client))
        return MessageRef(recipient, msg["Message-ID"].strip("<>").partition("@")[0])

    async def _connection(self, fresh: bool = False) -> tuple[aiosmtplib.SMTP, bool]:
        """A connected, logged-in client: one kept from an earlier mail when it is not too
        old (connecting, TLS and login once per mail would cost more than the mail), else new."""
        now = time.monotonic()
        while self._idle and not fresh:
            since, client = self._idle.pop()
            if now - since < IDLE_SECONDS and client.is_connected:
                return client, True
            client.close()
        server = self.server
        client = aiosmtplib.SMTP(
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.implicit_tls,
            start_tls=True if server.port == 587 and not server.implicit_tls else None,
            timeout=self.timeout,
        )
        await client.connect()
        return client, False

    async def check(self) -> str:
        """Connect and say hello once (start-up, /healthz): "ok" or the error code."""
        server = self.server
        client = aiosmtplib.SMTP(hostname=server.host, port=server.port, use_tls=server.implicit_tls, timeout=10)
        try:
            await client.connect()
            await client.quit()
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            return to_chat_error(exc).code
        return "ok"
