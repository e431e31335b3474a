""""Wie was er?": the question to the trekker after a session, with its button, and the
modal with the invitees (those who said yes ticked)."""

from __future__ import annotations

from bot.i18n import Translator
from bot.interactions.codec import encode
from bot.slack.blocks.common import Blocks, button, context, header, message, section, when
from bot.slack.ids import Action, Block, View
from bot.slack.text import MODAL_TITLE, OPTION_TEXT, plain


def attendance_ask(vm: dict, tr: Translator) -> dict:
    blocks: Blocks = [header(tr("attendance.header")), section(tr("attendance.ask", title=vm["title"], when=when(vm, tr.lang)))]
    if vm.get("present") is None:
        blocks.append(context(tr("attendance.ask_default")))
        label = tr("attendance.button")
    else:
        blocks.append(section(tr("attendance.recorded", present=vm["present"], invited=vm["invited"])))
        label = tr("attendance.button_change")
    blocks.append({"type": "actions", "block_id": Block.ATTEND, "elements": [button(label, Action.ATTEND_OPEN, str(vm["session_id"]), "primary")]})
    return message(tr("attendance.notification", title=vm["title"]), blocks)


BUILDERS = {"attendance_ask": attendance_ask}


def attendance_modal(vm: dict, tr: Translator) -> dict:
    """``vm``: ``bot.interactions.attendance.open_form``."""
    options = {
        p["id"]: {"text": plain(tr("attendance.modal.person", name=p["name"], organisation=p["organisation"]), OPTION_TEXT), "value": str(p["id"])}
        for p in vm["people"]
    }
    blocks: Blocks = [section(tr("attendance.modal.intro", title=vm["title"]))]
    if options:
        element = {"type": "multi_static_select", "action_id": Action.ATTEND_PEOPLE, "options": list(options.values())}
        chosen = [options[i] for i in vm["present"] if i in options]
        if chosen:
            element["initial_options"] = chosen
        blocks.append({"type": "input", "block_id": Block.ATTEND_PEOPLE, "optional": True, "label": plain(tr("attendance.modal.label"), 2000), "element": element})
    else:
        blocks.append(context(tr("attendance.modal.empty")))
    return {
        "type": "modal",
        "callback_id": View.ATTENDANCE,
        "private_metadata": encode(vm["form"]),
        "title": plain(tr("attendance.modal.title"), MODAL_TITLE),
        "submit": plain(tr("attendance.modal.submit"), MODAL_TITLE),
        "close": plain(tr("attendance.modal.close"), MODAL_TITLE),
        "blocks": blocks,
    }
