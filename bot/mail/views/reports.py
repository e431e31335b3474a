"""Notices for the trekker: a status channel that refused the bot, a mail that bounced,
a large invite sent (``invite_runs``), people looked up again in Slack (``bot.lookups``)."""

from __future__ import annotations

from bot import lines
from bot.i18n import Translator
from bot.mail.views import MailView


def channel_blocked(vm: dict, tr: Translator) -> MailView:
    line = tr(f"summary.channel_blocked.{vm['error']}", trajectory=vm["trajectory"], channel=vm["channel"])
    return MailView(line, line, [line])


def mail_undeliverable(vm: dict, tr: Translator) -> MailView:
    line = tr("mail.undeliverable", name=vm["name"], email=vm["email"], error=vm["error"], trajectory=vm["trajectory"])
    subject = tr("mail.undeliverable_subject", name=vm["name"])
    return MailView(subject, subject, [line])


def invite_report(vm: dict, tr: Translator) -> MailView:
    found = lines.invite_report(tr, vm, ", ".join(vm["unreachable"]))
    subject = found[1] if vm.get("cancelled") else found[0]
    return MailView(subject, subject, found)


def lookup_report(vm: dict, tr: Translator) -> MailView:
    found = lines.lookup_report(tr, vm, ", ".join)
    return MailView(found[0], found[0], found[1:])


BUILDERS = {
    "channel_blocked": channel_blocked,
    "mail_undeliverable": mail_undeliverable,
    "invite_report": invite_report,
    "lookup_report": lookup_report,
}
