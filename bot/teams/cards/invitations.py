"""Invitations, session reminders, the colleague picker and the RSVP overview as Adaptive Cards."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.formatting import format_date
from bot import lines
from bot.i18n import Raw, Translator
from bot.interactions.codec import as_data
from bot.teams.cards.common import (
    Element,
    button,
    choice_input,
    heading,
    link,
    listing,
    message,
    note,
    separator,
    text,
    when,
    with_errors,
    card,
)
from bot.teams.ids import ORIGIN_MESSAGE, Input, Verb

ANSWERS = ("yes", "no", "maybe")

if TYPE_CHECKING:  # the use cases import the services, which import the renderers
    from bot.interactions.invitations import Picker


def rsvp_buttons(tr: Translator, vm: dict, origin: str = ORIGIN_MESSAGE, card_name: str = "invitation") -> list[Element]:
    """The answers; ``card_name`` is the template of the card, shown again after a click."""
    chosen = vm.get("status")
    items = []
    for answer in ANSWERS:
        data = {"invitation_id": vm["invitation_id"], "answer": answer, "origin": origin, "card": card_name}
        items.append(button(tr(f"invite.button.{answer}"), Verb.RSVP, data, "positive" if chosen == answer else None))
    data = {"invitation_id": vm["invitation_id"], "origin": origin, "card": card_name}
    items.append(button(tr("invite.button.delegate"), Verb.DELEGATE, data, "positive" if chosen == "delegated" else None))
    if vm.get("calendar_url"):
        items.append(link(tr("invite.button.calendar"), vm["calendar_url"]))
    return items


def session_facts(tr: Translator, vm: dict) -> str:
    return "\n".join(lines.session_facts(tr, vm))


def invitation_body(vm: dict, tr: Translator) -> list[Element]:
    if vm.get("cancelled"):
        return heading(tr("invite.cancelled_header", title=vm["title"])) + text(tr("invite.cancelled_body")) + text(session_facts(tr, vm))
    intro = (
        tr("invite.intro_delegated", name=vm["name"], colleague=vm["delegated_from"], trajectory=vm["trajectory"])
        if vm.get("delegated_from")
        else tr("invite.intro", name=vm["name"], trajectory=vm["trajectory"])
    )
    body = heading(tr("invite.header", title=vm["title"])) + text(intro) + text(session_facts(tr, vm), spacing="Medium")
    if vm.get("agenda"):
        body += text(tr("invite.agenda", agenda=vm["agenda"]), spacing="Medium")
    if vm.get("calendar_url"):
        body += note(tr("invite.calendar_link", url=vm["calendar_url"]))
    elif vm.get("calendar_file"):
        body += note(tr("invite.calendar_file_hint"))
    status = vm.get("status", "pending")
    body += separator(text(tr(f"rsvp.answer.{status}", colleague=vm.get("colleague") or "")))
    return body


def invitation(vm: dict, tr: Translator) -> dict:
    if vm.get("cancelled"):
        return message(tr("invite.cancel_notification", title=vm["title"]), invitation_body(vm, tr))
    return message(tr("invite.notification", title=vm["title"], when=when(vm, tr.lang)), invitation_body(vm, tr), rsvp_buttons(tr, vm))


def session_changed(vm: dict, tr: Translator) -> dict:
    body = text(tr("invite.changed_body", title=vm["title"], when=when(vm, tr.lang), location=vm.get("location") or "-"))
    buttons = [link(tr("invite.button.calendar"), vm["calendar_url"])] if vm.get("calendar_url") else None
    return message(tr("invite.changed_notification", title=vm["title"], when=when(vm, tr.lang)), body, buttons)


def session_cancelled(vm: dict, tr: Translator) -> dict:
    body = text(tr("invite.cancel_body", title=vm["title"], when=when(vm, tr.lang)))
    return message(tr("invite.cancel_notification", title=vm["title"]), body)


def rsvp_reminder(vm: dict, tr: Translator) -> dict:
    body = text(tr("reminder.rsvp_body", name=vm["name"], title=vm["title"], when=when(vm, tr.lang)))
    body += text(session_facts(tr, vm), spacing="Medium")
    return message(tr("reminder.rsvp_notification", title=vm["title"]), body, rsvp_buttons(tr, vm, card_name="rsvp_reminder"))


def attendee_reminder(vm: dict, tr: Translator) -> dict:
    day = format_date(datetime.fromisoformat(vm["starts"]).astimezone(ZoneInfo(vm["timezone"])).date(), tr.lang)
    body = text(tr("reminder.attendee_body", name=vm["name"], title=vm["title"], when=when(vm, tr.lang), day=day))
    body += text(tr("invite.where", location=vm["location"]) if vm.get("location") else tr("invite.no_location"))
    if vm.get("agenda"):
        body += text(tr("invite.agenda", agenda=vm["agenda"]), spacing="Medium")
    buttons = [link(tr("invite.button.calendar"), vm["calendar_url"])] if vm.get("calendar_url") else None
    return message(tr("reminder.attendee_notification", title=vm["title"]), body, buttons)


def delegate_form(picker: Picker, tr: Translator, errors: dict[str, str] | None = None, selected: str | None = None) -> dict:
    """The colleague picker: a card with the colleagues of the same organisation.

    It replaces the invitation card; "Annuleren" shows the invitation again."""
    data = as_data(picker.form)
    back = button(tr("invite.delegate_modal.close"), Verb.DELEGATE_BACK, data)
    body = heading(tr("invite.delegate_modal.title"))
    colleagues = picker.colleagues[:100]
    if not colleagues:
        return card(body + text(tr("invite.delegate_modal.none", organisation=picker.organisation)), [back])
    body += text(tr("invite.delegate_modal.intro", organisation=picker.organisation, title=picker.title))
    body.append(
        choice_input(
            Input.COLLEAGUE,
            tr("invite.delegate_modal.label"),
            [(c.name, str(c.id)) for c in colleagues],
            placeholder=tr("invite.delegate_modal.placeholder"),
            error_message=tr("invite.delegate_modal.placeholder"),
            value=selected,
        )
    )
    body = with_errors(body, errors or {})
    submit = button(tr("invite.delegate_modal.submit"), Verb.DELEGATE_SUBMIT, data, "positive")
    return card(body, [submit, back])


def rsvp_status(vm: dict, tr: Translator) -> dict:
    body = heading(tr("command.status.header", title=vm["title"])) + note(tr("command.status.when", when=when(vm, tr.lang)))
    if not vm["invited"]:
        return card(body + text(tr("command.status.not_invited", key=vm["key"])))
    c = vm["counts"]
    body += text(tr("command.status.counts", yes=c["yes"], maybe=c["maybe"], no=c["no"], pending=c["pending"]), spacing="Medium")
    if c.get("delegated"):
        body += note(tr("command.status.delegated", count=c["delegated"]))
    if vm.get("attendance"):
        body += text(tr("command.status.attendance", **vm["attendance"]))
    if vm["organisations_missing"]:
        body += text(tr("command.status.orgs_missing", names=Raw(listing(tr, vm["organisations_missing"]))))
    else:
        body += text(tr("command.status.orgs_ok"))
    if vm["pending_names"]:
        body += text(tr("command.status.pending_names", names=Raw(listing(tr, vm["pending_names"]))))
    if vm["undelivered"]:
        body += text(tr("command.status.undelivered", names=Raw(listing(tr, vm["undelivered"]))))
    return card(body)


def new_colleague(vm: dict, tr: Translator) -> dict:
    """To the trekkers: someone sent a colleague who is not in the trajectory file yet."""
    headline = tr("rsvp.new_colleague_notice", name=vm["name"], organisation=vm["organisation"], title=vm["title"],
                  when=lines.when(vm, tr.lang), colleague=vm["colleague"], email=vm["email"])
    sent = tr("rsvp.new_colleague_sent" if vm["invited"] else "rsvp.new_colleague_not_sent")
    return message(headline, text(headline) + text(sent) + note(tr("rsvp.new_colleague_file")))


def invite_report(vm: dict, tr: Translator) -> dict:
    """To the trekker: a large invite has been sent (``bot.services.invite_runs``)."""
    found = lines.invite_report(tr, vm, Raw(listing(tr, vm["unreachable"])))
    return message(found[0], [block for line in found for block in text(line)])


def lookup_report(vm: dict, tr: Translator) -> dict:
    """To the trekkers: people looked up again in Slack (``bot.lookups``)."""
    found = lines.lookup_report(tr, vm, lambda names: Raw(listing(tr, names)))
    return message(found[0], [block for line in found for block in text(line)])


BUILDERS = {
    "rsvp_new_colleague": new_colleague,
    "lookup_report": lookup_report,
    "invite_report": invite_report,
    "invitation": invitation,
    "session_changed": session_changed,
    "session_cancelled": session_cancelled,
    "rsvp_reminder": rsvp_reminder,
    "attendee_reminder": attendee_reminder,
}
