"""The chat port: what the domain needs from a chat platform, nothing more.

Messages travel as :class:`OutMessage` — a template name, a plain view-model and a
language.  Each platform adapter renders them with its own builders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class OutMessage:
    template: str
    data: dict[str, Any]
    language: str = "nl"
    key: str | None = None  # the outbox key; travels with the message so a resend can be detected
    person_id: int | None = None  # the recipient (outbox row's person): e-mail builds personal links with it


@dataclass(frozen=True)
class MessageRef:
    channel: str
    ts: str


@dataclass(frozen=True)
class FileUpload:
    filename: str
    content: bytes
    title: str
    comment: str | None = None
    alt_text: str | None = None
    # The outbox row's key, recipient and language (e-mail sends the file as a mail of its own).
    key: str | None = None
    person_id: int | None = None
    language: str = "nl"


class ChatError(Exception):
    """A platform call failed.

    ``permanent`` errors will not get better by retrying (unknown user, channel
    gone, bad request); ``retry_after`` is set when the platform asked us to wait.
    """

    def __init__(self, code: str, permanent: bool, retry_after: float | None = None):
        super().__init__(code)
        self.code = code
        self.permanent = permanent
        self.retry_after = retry_after


class Chat(Protocol):
    platform: str

    async def lookup_user(self, email: str) -> str | None:
        """The platform user id for an e-mail address, or None when unknown."""

    async def send_direct(self, user_id: str, message: OutMessage) -> MessageRef:
        """Send a direct message to one person."""

    async def update(self, ref: MessageRef, message: OutMessage) -> MessageRef:
        """Replace an earlier message in place."""

    async def post_channel(self, channel: str, message: OutMessage, thread: MessageRef | None = None) -> MessageRef:
        """Post in a channel (optionally in a thread)."""

    async def send_file(self, target: str, upload: FileUpload, thread: MessageRef | None = None) -> MessageRef:
        """Share a file with a person (user id) or a channel."""

    # Optional: ``async def find_sent(self, target: str, key: str) -> MessageRef | None`` -- the
    # message sent earlier with this outbox key, if the platform can tell.  The dispatcher
    # asks it before resending a row whose process died mid-send.


@dataclass
class RecordingChat:
    """An in-memory chat for unit tests: records a transcript, can fail on cue."""

    platform: str = "fake"
    users: dict[str, str] = field(default_factory=dict)  # email -> user id
    transcript: list[tuple[str, str, OutMessage | FileUpload]] = field(default_factory=list)
    failures: list[ChatError] = field(default_factory=list)
    _ts: int = 0

    def _next(self, channel: str) -> MessageRef:
        if self.failures:
            raise self.failures.pop(0)
        self._ts += 1
        return MessageRef(channel, f"{self._ts}.000000")

    async def lookup_user(self, email: str) -> str | None:
        return self.users.get(email.lower())

    async def send_direct(self, user_id: str, message: OutMessage) -> MessageRef:
        ref = self._next("D" + user_id)
        self.transcript.append(("direct", user_id, message))
        return ref

    async def update(self, ref: MessageRef, message: OutMessage) -> MessageRef:
        self._next(ref.channel)
        self.transcript.append(("update", f"{ref.channel}/{ref.ts}", message))
        return ref

    async def post_channel(self, channel: str, message: OutMessage, thread: MessageRef | None = None) -> MessageRef:
        ref = self._next(channel)
        self.transcript.append(("channel", channel, message))
        return ref

    async def send_file(self, target: str, upload: FileUpload, thread: MessageRef | None = None) -> MessageRef:
        ref = self._next(target)
        self.transcript.append(("file", target, upload))
        return ref
