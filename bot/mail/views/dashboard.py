"""The trekker's dashboard: the one-time sign-in link, asked for on the page "Wat wacht er
op mij" (the chat command ``dashboard`` answers the same view-model in the chat)."""

from __future__ import annotations

from bot.i18n import Translator
from bot.mail.views import Button, MailView


def dashboard_link(vm: dict, tr: Translator) -> MailView:
    subject = tr("dashboard.mail.subject", trajectory=vm["trajectory"])
    return MailView(
        subject,
        subject,
        [tr("dashboard.mail.intro", trajectory=vm["trajectory"])],
        [Button(tr("dashboard.mail.button"), url=vm["url"])],
        [tr("dashboard.mail.note")],
    )


BUILDERS = {"dashboard_link": dashboard_link}
