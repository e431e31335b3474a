""""Wie was er?" by mail: the question to a trekker after a session, its button a link
to the personal page with the form (``handlers/web/attendance.py``)."""

from __future__ import annotations

from bot import lines
from bot.i18n import Translator
from bot.mail.views import Button, MailView


def attendance_ask(vm: dict, tr: Translator) -> MailView:
    paragraphs = [tr("attendance.ask", title=vm["title"], when=lines.when(vm, tr.lang))]
    if vm.get("present") is None:
        paragraphs.append(tr("attendance.ask_default"))
        label = tr("attendance.button")
    else:
        paragraphs.append(tr("attendance.recorded", present=vm["present"], invited=vm["invited"]))
        label = tr("attendance.button_change")
    button = Button(label, "attendance", vm["session_id"], None, vm["ends"])
    return MailView(tr("attendance.notification", title=vm["title"]), tr("attendance.header"), paragraphs, [button])


BUILDERS = {"attendance_ask": attendance_ask}
