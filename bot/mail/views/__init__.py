"""Mail views, one builder per outbox template: the words of the chat message (the same
catalog keys and facts), laid out as a mail.  A builder takes the view-model and a
translator (``bot.mail.text.translator``) and returns a :class:`MailView`; the layout is
``templates/mail/`` (``bot.mail.render``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from bot.i18n import Translator


@dataclass(frozen=True)
class Button:
    """A button is a link: to a personal page (``purpose`` + ``record_id``, optionally a
    preselected ``choice``; ``anchor`` is the moment its link is about, ISO) or a plain ``url``."""

    label: str
    purpose: str | None = None
    record_id: int | None = None
    choice: str | None = None
    anchor: str | None = None
    url: str | None = None


@dataclass
class MailView:
    subject: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)  # catalog text, user values marked
    buttons: list[Button] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # small print under the buttons


Builder = Callable[[dict, Translator], MailView]


def _builders() -> dict[str, Builder]:
    from bot.mail.views import attendance, commitments, dashboard, evaluations, invitations, memos, reports, signoff

    areas = (invitations, commitments, memos, evaluations, signoff, reports, attendance, dashboard)
    return {name: builder for area in areas for name, builder in area.BUILDERS.items()}


BUILDERS: dict[str, Builder] = _builders()

# Templates that never reach a person by e-mail: posted in status channels only
# (bot.services.channels.post), or files (op "file", sent as an attachment).
CHANNEL_ONLY = frozenset({"summary", "phase_announcement", "signoff_complete"})
FILES = frozenset({"file", "chart", "evaluation_export"})
# Templates that only ever go out by e-mail (queued with platform "email"): the dashboard
# sign-in link asked for on the page "Wat wacht er op mij" (chat answers it in the chat).
MAIL_ONLY = frozenset({"dashboard_link"})
