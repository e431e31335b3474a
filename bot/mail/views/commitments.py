"""Commitment reminders, a new commitment, and the trekker's notices, by mail."""

from __future__ import annotations

from bot import lines
from bot.i18n import Translator
from bot.mail.views import Button, MailView

CLOSED = ("done", "not_applicable")
CHOICES = (("done", "done"), ("busy", "busy"), ("blocked", "blocked"), ("snoozed", "snooze"), ("not_applicable", "not_applicable"))


def _buttons(tr: Translator, vm: dict) -> list[Button]:
    if vm["status"] in CLOSED:
        return [Button(tr("commitment.button.reopen"), "commitment", vm["commitment_id"], None, vm["due"])]
    return [Button(tr(f"commitment.button.{label}"), "commitment", vm["commitment_id"], choice, vm["due"]) for choice, label in CHOICES]


def _card(tr: Translator, vm: dict, intro: str) -> MailView:
    paragraphs = [intro, tr("commitment.description", description=vm["description"]), lines.commitment_facts(tr, vm)]
    if vm["status"] == "done":
        paragraphs.append(tr("commitment.closed_done"))
    elif vm["status"] == "not_applicable":
        paragraphs.append(tr("commitment.closed_na"))
    elif vm.get("overdue_days"):
        paragraphs.append(tr("commitment.reminder_overdue", days=vm["overdue_days"]))
    subject = tr("commitment.notification", organisation=vm["organisation"], description=vm["description"])
    return MailView(subject, subject, paragraphs, _buttons(tr, vm))


def commitment_reminder(vm: dict, tr: Translator) -> MailView:
    return _card(tr, vm, tr("commitment.reminder_intro", owner=vm["owner"], organisation=vm["organisation"], trajectory=vm["trajectory"]))


def commitment_new(vm: dict, tr: Translator) -> MailView:
    return _card(tr, vm, tr("commitment.new_intro", trajectory=vm["trajectory"]))


def commitment_blocked(vm: dict, tr: Translator) -> MailView:
    notice = tr("commitment.blocked_notice", actor=vm["actor"], organisation=vm["organisation"])
    paragraphs = [notice, tr("commitment.description", description=vm["description"])]
    if vm.get("last_note"):
        paragraphs.append(tr("commitment.blocked_reason", note=vm["last_note"]))
    paragraphs.append(lines.commitment_facts(tr, vm))
    return MailView(notice, notice, paragraphs)


def commitment_unreachable(vm: dict, tr: Translator) -> MailView:
    notice = tr("commitment.unreachable_notice", owner=vm["owner"], email=vm["email"], organisation=vm["organisation"])
    return MailView(notice, notice, [notice, tr("commitment.description", description=vm["description"])])


def commitment_escalation(vm: dict, tr: Translator) -> MailView:
    groups, left_out = lines.escalation_groups(tr, vm, limit=200)
    paragraphs = [tr("commitment.escalation_intro", trajectory=vm["trajectory"]), *groups]
    if left_out:
        paragraphs.append(tr("commitment.escalation_more", count=left_out))
    header = tr("commitment.escalation_header")
    return MailView(header, header, paragraphs)


BUILDERS = {
    "commitment_reminder": commitment_reminder,
    "commitment_new": commitment_new,
    "commitment_blocked": commitment_blocked,
    "commitment_unreachable": commitment_unreachable,
    "commitment_escalation": commitment_escalation,
}
