"""Invitations, session notices and both session reminders, by mail."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import lines
from bot.formatting import format_date
from bot.i18n import Translator
from bot.mail.views import Button, MailView

ANSWERS = ("yes", "no", "maybe", "delegated")


def rsvp_buttons(tr: Translator, vm: dict) -> list[Button]:
    labels = {"yes": "invite.button.yes", "no": "invite.button.no", "maybe": "invite.button.maybe", "delegated": "invite.button.delegate"}
    buttons = [Button(tr(labels[a]), "rsvp", vm["invitation_id"], a, vm["starts"]) for a in ANSWERS]
    if vm.get("calendar_url"):
        buttons.append(Button(tr("invite.button.calendar"), url=vm["calendar_url"]))
    return buttons


def invitation(vm: dict, tr: Translator) -> MailView:
    facts = "\n".join(lines.session_facts(tr, vm))
    if vm.get("cancelled"):
        return MailView(tr("invite.cancel_notification", title=vm["title"]), tr("invite.cancelled_header", title=vm["title"]),
                        [tr("invite.cancelled_body"), facts])
    intro = (
        tr("invite.intro_delegated", name=vm["name"], colleague=vm["delegated_from"], trajectory=vm["trajectory"])
        if vm.get("delegated_from")
        else tr("invite.intro", name=vm["name"], trajectory=vm["trajectory"])
    )
    paragraphs = [intro, facts]
    if vm.get("agenda"):
        paragraphs.append(tr("invite.agenda", agenda=vm["agenda"]))
    paragraphs.append(tr(f"rsvp.answer.{vm.get('status', 'pending')}", colleague=vm.get("colleague") or ""))
    notes = [tr("mail.calendar_attached")]
    return MailView(tr("invite.notification", title=vm["title"], when=lines.when(vm, tr.lang)), tr("invite.header", title=vm["title"]),
                    paragraphs, rsvp_buttons(tr, vm), notes)


def session_changed(vm: dict, tr: Translator) -> MailView:
    when = lines.when(vm, tr.lang)
    body = tr("invite.changed_body", title=vm["title"], when=when, location=vm.get("location") or "-")
    return MailView(tr("invite.changed_notification", title=vm["title"], when=when), tr("invite.header", title=vm["title"]),
                    [body], rsvp_buttons(tr, vm), [tr("mail.calendar_attached")])


def session_cancelled(vm: dict, tr: Translator) -> MailView:
    body = tr("invite.cancel_body", title=vm["title"], when=lines.when(vm, tr.lang))
    return MailView(tr("invite.cancel_notification", title=vm["title"]), tr("invite.cancelled_header", title=vm["title"]),
                    [body, tr("invite.cancelled_body")], notes=[tr("mail.calendar_cancel_attached")])


def rsvp_reminder(vm: dict, tr: Translator) -> MailView:
    body = tr("reminder.rsvp_body", name=vm["name"], title=vm["title"], when=lines.when(vm, tr.lang))
    return MailView(tr("reminder.rsvp_notification", title=vm["title"]), tr("invite.header", title=vm["title"]),
                    [body, "\n".join(lines.session_facts(tr, vm))], rsvp_buttons(tr, vm))


def attendee_reminder(vm: dict, tr: Translator) -> MailView:
    day = format_date(datetime.fromisoformat(vm["starts"]).astimezone(ZoneInfo(vm["timezone"])).date(), tr.lang)
    paragraphs = [tr("reminder.attendee_body", name=vm["name"], title=vm["title"], when=lines.when(vm, tr.lang), day=day)]
    paragraphs.append(tr("invite.where", location=vm["location"]) if vm.get("location") else tr("invite.no_location"))
    if vm.get("agenda"):
        paragraphs.append(tr("invite.agenda", agenda=vm["agenda"]))
    buttons = [Button(tr("invite.button.calendar"), url=vm["calendar_url"])] if vm.get("calendar_url") else []
    return MailView(tr("reminder.attendee_notification", title=vm["title"]), tr("invite.header", title=vm["title"]), paragraphs, buttons)


def new_colleague(vm: dict, tr: Translator) -> MailView:
    """To the trekkers: someone sent a colleague who is not in the trajectory file yet."""
    notice = tr("rsvp.new_colleague_notice", name=vm["name"], organisation=vm["organisation"], title=vm["title"],
                when=lines.when(vm, tr.lang), colleague=vm["colleague"], email=vm["email"])
    sent = tr("rsvp.new_colleague_sent" if vm["invited"] else "rsvp.new_colleague_not_sent")
    return MailView(notice, notice, [notice, sent], notes=[tr("rsvp.new_colleague_file")])


BUILDERS = {
    "rsvp_new_colleague": new_colleague,
    "invitation": invitation,
    "session_changed": session_changed,
    "session_cancelled": session_cancelled,
    "rsvp_reminder": rsvp_reminder,
    "attendee_reminder": attendee_reminder,
}
