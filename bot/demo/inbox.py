"""The demo's SMTP server: aiosmtpd on a free loopback port, keeping every mail it
accepts in memory, per recipient, for the web inbox (``/demo``)."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Mail:
    number: int  # 1, 2, ... in the order the server received them
    recipients: tuple[str, ...]
    received_at: datetime  # real time (the demo clock may be elsewhere)
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    def part(self, content_type: str) -> str:
        for found in self.message.walk():
            if found.get_content_type() == content_type and not found.is_multipart():
                return found.get_content()
        return ""

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")

    @property
    def links(self) -> list[tuple[str, str]]:
        """Every web link of the HTML part with its text, in order, once each."""
        finder = _Links()
        finder.feed(self.html)
        seen: dict[str, str] = {}
        for href, label in finder.found:
            if href.startswith(("http://", "https://")) and href not in seen:
                seen[href] = " ".join(label.split()) or href
        return list(seen.items())

    @property
    def attachments(self) -> list[str]:
        return [p.get_content_type() for p in self.message.walk() if p.get_content_type() == "text/calendar"]


class _Links(HTMLParser):
    """``(href, text)`` of every ``<a>``."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._open = dict(attrs).get("href") or "", []

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            self.found.append((self._href, "".join(self._open)))
            self._open = None


class _Handler:
    def __init__(self, inbox: "Inbox"):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode("utf-8")
        self.inbox.add(tuple(a.lower() for a in envelope.rcpt_tos), raw)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """``start()``, ``url`` (for SMTP_URL), ``for_person(address)``, ``get(number)``, ``stop()``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mails: list[Mail] = []
        self.port = free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def add(self, recipients: tuple[str, ...], raw: bytes) -> None:
        message = message_from_bytes(raw, policy=policy.default)
        with self._lock:
            self._mails.append(Mail(len(self._mails) + 1, recipients, datetime.now(timezone.utc), message))

    def all(self) -> list[Mail]:
        with self._lock:
            return list(self._mails)

    def for_person(self, address: str) -> list[Mail]:
        """The mails to ``address``, newest first."""
        address = address.lower()
        return [m for m in reversed(self.all()) if address in m.recipients]

    def get(self, number: int) -> Mail | None:
        mails = self.all()
        return mails[number - 1] if 1 <= number <= len(mails) else None
