"""The phase-transition confirmation modal and the announcement in the channel."""

from __future__ import annotations

from bot.i18n import Translator
from bot.interactions.codec import encode
from bot.limits import NOTE_LIMIT
from bot.slack.blocks.common import Blocks, header, message, section
from bot.slack.ids import Action, Block, View
from bot.slack.text import MODAL_TITLE, OPTION_TEXT, plain


def phase_modal(vm: dict, tr: Translator) -> dict:
    """``vm``: ``bot.interactions.phases.open_move`` (``form`` is the PhaseForm it carries)."""
    current, to = vm["current"], vm["to"]
    options = [{"text": plain(tr(f"phase.reached.{key}"), OPTION_TEXT), "value": key} for key in ("yes", "partly", "no")]
    blocks: Blocks = [
        section(tr("phase.modal.current", **current)),
        section(tr("phase.modal.next", **to)),
        {
            "type": "input",
            "block_id": Block.PHASE_REACHED,
            "label": plain(tr("phase.modal.reached", number=current["number"]), 2000),
            "element": {"type": "radio_buttons", "action_id": Action.PHASE_REACHED, "options": options},
        },
        {
            "type": "input",
            "block_id": Block.NOTE,
            "optional": True,
            "label": plain(tr("phase.modal.note"), 2000),
            "element": {"type": "plain_text_input", "action_id": Action.NOTE, "multiline": True, "max_length": NOTE_LIMIT},
        },
    ]
    return {
        "type": "modal",
        "callback_id": View.PHASE,
        "private_metadata": encode(vm["form"]),
        "title": plain(tr("phase.modal.title", number=to["number"]), MODAL_TITLE),
        "submit": plain(tr("phase.modal.submit"), MODAL_TITLE),
        "close": plain(tr("phase.modal.close"), MODAL_TITLE),
        "blocks": blocks,
    }


def phase_announcement(vm: dict, tr: Translator) -> dict:
    current, to = vm["current"], vm["to"]
    reached = tr(f"phase.announcement_reached.{vm['reached']}")
    blocks: Blocks = [
        header(tr("phase.announcement_header", name=to["name"] or str(to["number"]))),
        section(tr("phase.announcement_done", number=current["number"], name=current["name"], reached=reached, result=current["result"])),
    ]
    if vm.get("note"):
        blocks.append(section(tr("phase.announcement_note", actor=vm["actor"], note=vm["note"])))
    blocks.append(section(tr("phase.announcement_next", **to)))
    return message(tr("phase.announcement_header", name=to["name"] or str(to["number"])), blocks)


BUILDERS = {"phase_announcement": phase_announcement}
