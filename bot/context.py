"""What services need from the outside world, wired once in bot.app.bootstrap."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable

from bot.chat import Chat
from bot.clock import Clock
from bot.db import Database
from bot.jobs import Jobs
from bot.people_port import PeopleFinder
from bot.quiet_hours import SendingWindow
from bot.settings import Settings
from bot.web.links import LinkSigner


@dataclass
class Context:
    settings: Settings
    db: Database
    clock: Clock
    chats: dict[str, Chat] = field(default_factory=dict)
    finders: dict[str, PeopleFinder] = field(default_factory=dict)  # platform -> "find this person"
    # platform -> "look again for the trajectory's people whose look-up failed for now"
    # (trajectory id -> bot.lookups.Outcome; the lookup_retry task calls them)
    relookups: dict[str, Callable[[int], Awaitable[Any]]] = field(default_factory=dict)
    wake_dispatcher: Callable[[], None] = lambda: None
    languages: object = None  # bot.languages.LanguageCache: who reads which language (bootstrap)
    links: LinkSigner | None = None  # signs personal links to /p/<token> pages (bootstrap)
    jobs: Jobs = field(default_factory=Jobs)  # background work the app owns (bot.jobs)

    @property
    def window(self) -> SendingWindow:
        return self.settings.sending_window

    def now(self) -> datetime:
        return self.clock.now()

    def send_time(self, timezone: str) -> datetime:
        """The first moment a message to people may go out (quiet hours)."""
        return self.window.next_open(self.clock.now(), timezone)

    def calendar_url(self, token: str) -> str | None:
        base = self.settings.public_url
        return f"{base}/ics/{token}.ics" if base else None
