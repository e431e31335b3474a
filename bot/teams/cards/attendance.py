""""Wie was er?" for Teams: the question card with its button, and the card form with
the invitees (those who said yes ticked)."""

from __future__ import annotations

from bot.i18n import Translator
from bot.interactions.codec import as_data
from bot.teams.cards.common import button, card, choice_input, heading, message, note, text, when, with_errors
from bot.teams.ids import Input, Verb


def attendance_ask(vm: dict, tr: Translator) -> dict:
    body = heading(tr("attendance.header")) + text(tr("attendance.ask", title=vm["title"], when=when(vm, tr.lang)))
    if vm.get("present") is None:
        body += note(tr("attendance.ask_default"))
        label = tr("attendance.button")
    else:
        body += text(tr("attendance.recorded", present=vm["present"], invited=vm["invited"]))
        label = tr("attendance.button_change")
    return message(tr("attendance.notification", title=vm["title"]), body, [button(label, Verb.ATTEND_OPEN, {"session_id": vm["session_id"]}, "positive")])


BUILDERS = {"attendance_ask": attendance_ask}


def attendance_form(vm: dict, tr: Translator, errors: dict[str, str] | None = None) -> dict:
    """``vm``: ``bot.interactions.attendance.open_form``."""
    body = heading(tr("attendance.modal.title")) + text(tr("attendance.modal.intro", title=vm["title"]))
    if vm["people"]:
        choices = [(tr("attendance.modal.person", name=p["name"], organisation=p["organisation"]), str(p["id"])) for p in vm["people"]]
        present = ",".join(str(i) for i in vm["present"])
        body.append(choice_input(Input.ATTEND_PEOPLE, tr("attendance.modal.label"), choices, required=False, multi=True, expanded=True, value=present))
    else:
        body += note(tr("attendance.modal.empty"))
    return card(with_errors(body, errors or {}), [button(tr("attendance.modal.submit"), Verb.ATTEND_SUBMIT, as_data(vm["form"]), "positive")])
