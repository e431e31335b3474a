"""Notices for the trekker: a status channel that refused the bot, a mail that bounced."""

from __future__ import annotations

from bot.i18n import Translator
from bot.mail.views import MailView


def channel_blocked(vm: dict, tr: Translator) -> MailView:
    line = tr(f"summary.channel_blocked.{vm['error']}", trajectory=vm["trajectory"], channel=vm["channel"])
    return MailView(line, line, [line])


def mail_undeliverable(vm: dict, tr: Translator) -> MailView:
    line = tr("mail.undeliverable", name=vm["name"], email=vm["email"], error=vm["error"], trajectory=vm["trajectory"])
    subject = tr("mail.undeliverable_subject", name=vm["name"])
    return MailView(subject, subject, [line])


BUILDERS = {"channel_blocked": channel_blocked, "mail_undeliverable": mail_undeliverable}
