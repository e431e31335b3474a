"""Invitations, reminders about sessions, the colleague picker, RSVP overview, Home."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.formatting import format_date
from bot import lines
from bot.i18n import Translator
from bot.interactions.codec import encode
from bot.slack.blocks.common import Blocks, button, context, header, listing, message, section, when
from bot.slack.ids import Action, Block, View
from bot.slack.text import MODAL_TITLE, OPTION_TEXT, cut, plain

if TYPE_CHECKING:  # the use cases import the services, which import the renderers
    from bot.interactions.invitations import Picker


# -- invitations ----------------------------------------------------------------


def rsvp_buttons(tr: Translator, vm: dict, block_id: str = Block.RSVP) -> dict:
    value = str(vm["invitation_id"])
    chosen = vm.get("status")
    elements = []
    for action, answer in ((Action.RSVP_YES, "yes"), (Action.RSVP_NO, "no"), (Action.RSVP_MAYBE, "maybe")):
        elements.append(button(tr(f"invite.button.{answer}"), action, value, "primary" if chosen == answer else None))
    elements.append(button(tr("invite.button.delegate"), Action.RSVP_DELEGATE, value, "primary" if chosen == "delegated" else None))
    if vm.get("calendar_url"):
        elements.append(button(tr("invite.button.calendar"), Action.CALENDAR_LINK, value, url=vm["calendar_url"]))
    return {"type": "actions", "block_id": block_id, "elements": elements}


# The facts share one section (3,000 characters): each is cut on its own, so a very
# long location cannot push the phase and the invited organisations out of the message.
FACT_LINE = 700


def session_facts(tr: Translator, vm: dict) -> list[str]:
    return [cut(line, FACT_LINE) for line in lines.session_facts(tr, vm)]


# Names and titles stand inside sentences: cut them first, so that the rest of the
# sentence (the date, the question) survives however long a name in the file is.
IN_SENTENCE = {"name": 100, "colleague": 100, "delegated_from": 100, "trajectory": 150, "title": 150}


def _in_sentence(vm: dict) -> dict:
    return {**vm, **{key: cut(vm[key], limit) for key, limit in IN_SENTENCE.items() if isinstance(vm.get(key), str)}}


def invitation(vm: dict, tr: Translator) -> dict:
    vm = _in_sentence(vm)
    if vm.get("cancelled"):
        blocks = [header(tr("invite.cancelled_header", title=vm["title"])), section(tr("invite.cancelled_body"))]
        blocks.append(section("\n".join(session_facts(tr, vm))))
        return message(tr("invite.cancel_notification", title=vm["title"]), blocks)
    intro = (
        tr("invite.intro_delegated", name=vm["name"], colleague=vm["delegated_from"], trajectory=vm["trajectory"])
        if vm.get("delegated_from")
        else tr("invite.intro", name=vm["name"], trajectory=vm["trajectory"])
    )
    blocks: Blocks = [header(tr("invite.header", title=vm["title"])), section(intro)]
    blocks.append(section("\n".join(session_facts(tr, vm))))
    if vm.get("agenda"):
        blocks.append(section(tr("invite.agenda", agenda=vm["agenda"])))
    if vm.get("calendar_url"):
        blocks.append(context(tr("invite.calendar_link", url=vm["calendar_url"])))
    elif vm.get("calendar_file"):
        blocks.append(context(tr("invite.calendar_file_hint")))
    blocks.append({"type": "divider"})
    status = vm.get("status", "pending")
    blocks.append(section(tr(f"rsvp.answer.{status}", colleague=vm.get("colleague") or "")))
    blocks.append(rsvp_buttons(tr, vm))
    return message(tr("invite.notification", title=vm["title"], when=when(vm, tr.lang)), blocks)


def session_changed(vm: dict, tr: Translator) -> dict:
    vm = _in_sentence(vm)
    body = tr("invite.changed_body", title=vm["title"], when=when(vm, tr.lang), location=vm.get("location") or "-")
    blocks = [section(body)]
    if vm.get("calendar_url"):
        blocks.append(context(tr("invite.calendar_link", url=vm["calendar_url"])))
    return message(tr("invite.changed_notification", title=vm["title"], when=when(vm, tr.lang)), blocks)


def session_cancelled(vm: dict, tr: Translator) -> dict:
    vm = _in_sentence(vm)
    body = tr("invite.cancel_body", title=vm["title"], when=when(vm, tr.lang))
    return message(tr("invite.cancel_notification", title=vm["title"]), [section(body)])


def rsvp_reminder(vm: dict, tr: Translator) -> dict:
    vm = _in_sentence(vm)
    body = tr("reminder.rsvp_body", name=vm["name"], title=vm["title"], when=when(vm, tr.lang))
    blocks = [section(body), section("\n".join(session_facts(tr, vm))), rsvp_buttons(tr, vm, Block.RSVP_REMINDER)]
    return message(tr("reminder.rsvp_notification", title=vm["title"]), blocks)


def attendee_reminder(vm: dict, tr: Translator) -> dict:
    vm = _in_sentence(vm)
    day = format_date(datetime.fromisoformat(vm["starts"]).astimezone(_zone(vm["timezone"])).date(), tr.lang)
    blocks = [section(tr("reminder.attendee_body", name=vm["name"], title=vm["title"], when=when(vm, tr.lang), day=day))]
    blocks.append(section(tr("invite.where", location=vm["location"]) if vm.get("location") else tr("invite.no_location")))
    if vm.get("agenda"):
        blocks.append(section(tr("invite.agenda", agenda=vm["agenda"])))
    if vm.get("calendar_url"):
        blocks.append(context(tr("invite.calendar_link", url=vm["calendar_url"])))
    return message(tr("reminder.attendee_notification", title=vm["title"]), blocks)


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def delegate_modal(picker: Picker, tr: Translator) -> dict:
    """The colleague picker: colleagues of the same organisation in the trajectory."""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": View.DELEGATE,
        "private_metadata": encode(picker.form),
        "title": plain(tr("invite.delegate_modal.title"), MODAL_TITLE),
        "close": plain(tr("invite.delegate_modal.close"), MODAL_TITLE),
    }
    colleagues = picker.colleagues[:100]
    if not colleagues:
        view["blocks"] = [section(tr("invite.delegate_modal.none", organisation=picker.organisation))]
        return view
    view["submit"] = plain(tr("invite.delegate_modal.submit"), MODAL_TITLE)
    options = [{"text": plain(c.name, OPTION_TEXT), "value": str(c.id)} for c in colleagues]
    view["blocks"] = [
        section(tr("invite.delegate_modal.intro", organisation=picker.organisation, title=picker.title)),
        {
            "type": "input",
            "block_id": Block.COLLEAGUE,
            "label": plain(tr("invite.delegate_modal.label"), 2000),
            "element": {
                "type": "static_select",
                "action_id": Action.COLLEAGUE,
                "placeholder": plain(tr("invite.delegate_modal.placeholder"), 150),
                "options": options,
            },
        },
    ]
    return view


def rsvp_status(vm: dict, tr: Translator) -> dict:
    blocks: Blocks = [header(tr("command.status.header", title=vm["title"])), context(tr("command.status.when", when=when(vm, tr.lang)))]
    if not vm["invited"]:
        blocks.append(section(tr("command.status.not_invited", key=vm["key"])))
        return message(tr("command.status.header", title=vm["title"]), blocks)
    c = vm["counts"]
    blocks.append(section(tr("command.status.counts", yes=c["yes"], maybe=c["maybe"], no=c["no"], pending=c["pending"])))
    if c.get("delegated"):
        blocks.append(context(tr("command.status.delegated", count=c["delegated"])))
    if vm.get("attendance"):
        blocks.append(section(tr("command.status.attendance", **vm["attendance"])))
    if vm["organisations_missing"]:
        blocks.append(section(tr("command.status.orgs_missing", names=listing(tr, vm["organisations_missing"]))))
    else:
        blocks.append(section(tr("command.status.orgs_ok")))
    if vm["pending_names"]:
        blocks.append(section(tr("command.status.pending_names", names=listing(tr, vm["pending_names"]))))
    if vm["undelivered"]:
        blocks.append(section(tr("command.status.undelivered", names=listing(tr, vm["undelivered"]))))
    return message(tr("command.status.header", title=vm["title"]), blocks)


def new_colleague(vm: dict, tr: Translator) -> dict:
    """To the trekkers: someone sent a colleague who is not in the trajectory file yet."""
    text = tr("rsvp.new_colleague_notice", name=vm["name"], organisation=vm["organisation"], title=vm["title"],
              when=lines.when(vm, tr.lang), colleague=vm["colleague"], email=vm["email"])
    sent = tr("rsvp.new_colleague_sent" if vm["invited"] else "rsvp.new_colleague_not_sent")
    return message(text, [section(text), section(sent), context(tr("rsvp.new_colleague_file"))])


def invite_report(vm: dict, tr: Translator) -> dict:
    """To the trekker: a large invite has been sent (``bot.services.invite_runs``)."""
    found = lines.invite_report(tr, vm, listing(tr, vm["unreachable"]))
    return message(found[0], [section(line) for line in found])


def lookup_report(vm: dict, tr: Translator) -> dict:
    """To the trekkers: people looked up again in Slack (``bot.lookups``)."""
    found = lines.lookup_report(tr, vm, lambda names: listing(tr, names))
    return message(found[0], [section(line) for line in found])


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
