"""The bot's IMAP folder (``IMAP_URL``): read new mail without marking it read, and
mark a mail read once it has been handled.

Built on the standard library's ``imaplib`` (blocking), run in a worker thread.
``IMAP_URL`` forms:

* ``imaps://user:pass@host[:port]/INBOX``: implicit TLS, port 993 by default;
* ``imap://user:pass@host[:port]/INBOX``: port 143; STARTTLS when the server offers it,
  and plain text only to a loopback address (local tests), never over a network.

User and password may be percent-encoded (``%40`` for ``@``).  The password never
appears in a log line, an error or a ``repr``.
"""

from __future__ import annotations

import asyncio
import imaplib
import ipaddress
import re
import ssl
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

TIMEOUT = 30.0  # seconds for connecting and for every command
MAX_BYTES = 2_000_000  # a calendar reply is a few kilobytes; bigger mail is not read


class ImapError(Exception):
    """The folder cannot be read: bad ``IMAP_URL``, unreachable server, refused login.
    The text names no password."""


@dataclass(frozen=True)
class ImapTarget:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    implicit_tls: bool = True

    @property
    def name(self) -> str:
        """The folder's name in the database: account, server and folder, no password."""
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def parse_imap_url(url: str) -> ImapTarget:
    """``IMAP_URL`` as an :class:`ImapTarget`; raises :class:`ImapError` when unusable.
    The URL rules are the settings' (bot.settings, one parser for SMTP_URL and IMAP_URL)."""
    from bot.settings import SettingsError, mail_server

    try:
        server = mail_server({"IMAP_URL": url}, "IMAP_URL", ("imap", "imaps"))
    except SettingsError as exc:
        raise ImapError(str(exc)) from None
    if server is None:
        raise ImapError("IMAP_URL is empty")
    return imap_target(server)


def imap_target(server) -> ImapTarget:
    """The folder to read from the parsed ``IMAP_URL`` (a bot.settings.MailServer)."""
    if not server.username or server.password is None:
        raise ImapError("IMAP_URL needs a user, a password and a host (imaps://user:pass@host/INBOX)")
    return ImapTarget(
        host=server.host,
        port=server.port,
        user=server.username,
        password=server.password,
        folder=unquote(server.path.lstrip("/")) or "INBOX",
        implicit_tls=server.implicit_tls,
    )


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(typ: str, data, what: str):
    if typ != "OK":
        detail = data[0].decode(errors="replace")[:200] if data and isinstance(data[0], bytes) else ""
        raise ImapError(f"IMAP {what} failed: {detail}")
    return data


_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class Folder:
    """One connection to the folder (blocking); use :class:`AsyncFolder` from the bot."""

    def __init__(self, target: ImapTarget, timeout: float = TIMEOUT):
        self.target = target
        self.timeout = timeout
        self.conn: imaplib.IMAP4 | None = None
        self.uidvalidity = 0

    def open(self) -> int:
        """Connect, log in, select the folder; returns its UIDVALIDITY."""
        t = self.target
        try:
            if t.implicit_tls:
                self.conn = imaplib.IMAP4_SSL(t.host, t.port, ssl_context=ssl.create_default_context(), timeout=self.timeout)
            else:
                self.conn = imaplib.IMAP4(t.host, t.port, timeout=self.timeout)
                if "STARTTLS" in self.conn.capabilities:
                    self.conn.starttls(ssl.create_default_context())
                elif not t.loopback:
                    raise ImapError("the IMAP server offers no STARTTLS: use imaps://")
            self.conn.login(t.user, t.password)
            _check(*self.conn.select(_quoted(t.folder)), "SELECT")
        except (OSError, imaplib.IMAP4.error) as exc:
            self.close()
            raise ImapError(f"IMAP connection failed: {type(exc).__name__}: {str(exc)[:200]}") from exc
        except ImapError:
            self.close()
            raise
        _typ, found = self.conn.response("UIDVALIDITY")
        self.uidvalidity = int(found[0]) if found and found[0] else 0
        return self.uidvalidity

    def new_uids(self, after: int, limit: int) -> list[int]:
        """UIDs above ``after``, oldest first, at most ``limit``."""
        data = _check(*self.conn.uid("SEARCH", f"UID {after + 1}:*"), "SEARCH")
        uids = sorted(int(x) for x in (data[0] or b"").split() if int(x) > after)
        return uids[:limit]

    def fetch(self, uid: int) -> bytes | None:
        """The whole mail (without setting \\Seen), or None when it is gone or too big."""
        sizes = _check(*self.conn.uid("FETCH", str(uid), "(RFC822.SIZE)"), "FETCH")
        size = next((int(m[1]) for line in sizes if isinstance(line, bytes) and (m := _SIZE.search(line))), None)
        if size is None or size > MAX_BYTES:
            return None
        data = _check(*self.conn.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH")
        for item in data:
            if isinstance(item, tuple) and (m := _UID.search(item[0])) and int(m[1]) == uid:
                return item[1]
        return None

    def mark_seen(self, uid: int) -> None:
        _check(*self.conn.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "STORE")

    def close(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
        self.conn = None


class AsyncFolder:
    """:class:`Folder` for the event loop: every command runs in a worker thread.

    ``async with AsyncFolder(target) as folder:`` connects and selects."""

    def __init__(self, target: ImapTarget, timeout: float = TIMEOUT):
        self.folder = Folder(target, timeout)

    @property
    def uidvalidity(self) -> int:
        return self.folder.uidvalidity

    async def __aenter__(self) -> AsyncFolder:
        await asyncio.to_thread(self.folder.open)
        return self

    async def __aexit__(self, *exc) -> None:
        await asyncio.to_thread(self.folder.close)

    async def _call(self, method, *args):
        try:
            return await asyncio.to_thread(method, *args)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ImapError(f"IMAP command failed: {type(exc).__name__}: {str(exc)[:200]}") from exc

    async def new_uids(self, after: int, limit: int) -> list[int]:
        return await self._call(self.folder.new_uids, after, limit)

    async def fetch(self, uid: int) -> bytes | None:
        return await self._call(self.folder.fetch, uid)

    async def mark_seen(self, uid: int) -> None:
        await self._call(self.folder.mark_seen, uid)
