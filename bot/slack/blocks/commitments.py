"""Commitment messages, their status modals and the "new commitment" modal."""

from __future__ import annotations

from bot import lines
from bot.i18n import Translator
from bot.interactions.codec import encode
from bot.interactions.commitments import AddForm, StatusForm
from bot.limits import DESCRIPTION_LIMIT, NOTE_LIMIT
from bot.slack.blocks.common import Blocks, button, context, header, message, section
from bot.slack.ids import Action, Block, View
from bot.slack.text import MODAL_TITLE, OPTION_TEXT, plain

CLOSED = ("done", "not_applicable")


def commitment_buttons(tr: Translator, vm: dict, block_id: str = Block.COMMITMENT) -> dict:
    value = str(vm["commitment_id"])
    if vm["status"] in CLOSED:
        elements = [button(tr("commitment.button.reopen"), Action.COMMIT_REOPEN, value)]
    else:
        elements = [
            button(tr("commitment.button.done"), Action.COMMIT_DONE, value, "primary"),
            button(tr("commitment.button.busy"), Action.COMMIT_BUSY, value),
            button(tr("commitment.button.blocked"), Action.COMMIT_BLOCKED, value, "danger"),
            button(tr("commitment.button.snooze"), Action.COMMIT_SNOOZE, value),
            button(tr("commitment.button.not_applicable"), Action.COMMIT_NA, value),
        ]
    return {"type": "actions", "block_id": block_id, "elements": elements}


def card(tr: Translator, vm: dict, intro: str, block_id: str = Block.COMMITMENT) -> Blocks:
    blocks: Blocks = [section(intro), section(tr("commitment.description", description=vm["description"])), section(lines.commitment_facts(tr, vm))]
    if vm["status"] == "done":
        blocks.append(section(tr("commitment.closed_done")))
    elif vm["status"] == "not_applicable":
        blocks.append(section(tr("commitment.closed_na")))
    elif vm.get("overdue_days"):
        blocks.append(context(tr("commitment.reminder_overdue", days=vm["overdue_days"])))
    blocks.append(commitment_buttons(tr, vm, block_id))
    return blocks


def _notification(tr: Translator, vm: dict) -> str:
    return tr("commitment.notification", organisation=vm["organisation"], description=vm["description"])


def commitment_reminder(vm: dict, tr: Translator) -> dict:
    intro = tr("commitment.reminder_intro", owner=vm["owner"], organisation=vm["organisation"], trajectory=vm["trajectory"])
    return message(_notification(tr, vm), card(tr, vm, intro))


def commitment_new(vm: dict, tr: Translator) -> dict:
    return message(_notification(tr, vm), card(tr, vm, tr("commitment.new_intro", trajectory=vm["trajectory"])))


def commitment_blocked(vm: dict, tr: Translator) -> dict:
    blocks = [
        section(tr("commitment.blocked_notice", actor=vm["actor"], organisation=vm["organisation"])),
        section(tr("commitment.description", description=vm["description"])),
    ]
    if vm.get("last_note"):
        blocks.append(section(tr("commitment.blocked_reason", note=vm["last_note"])))
    blocks.append(section(lines.commitment_facts(tr, vm)))
    return message(tr("commitment.blocked_notice", actor=vm["actor"], organisation=vm["organisation"]), blocks)


def commitment_unreachable(vm: dict, tr: Translator) -> dict:
    text = tr("commitment.unreachable_notice", owner=vm["owner"], email=vm["email"], organisation=vm["organisation"])
    return message(text, [section(text), section(tr("commitment.description", description=vm["description"]))])


def commitment_escalation(vm: dict, tr: Translator, limit: int = 40) -> dict:
    """One message listing overdue commitments grouped by organisation (within 50 blocks)."""
    blocks: Blocks = [header(tr("commitment.escalation_header")), section(tr("commitment.escalation_intro", trajectory=vm["trajectory"]))]
    groups, left_out = lines.escalation_groups(tr, vm, limit)
    blocks += [section(group) for group in groups]
    if left_out:
        blocks.append(context(tr("commitment.escalation_more", count=left_out)))
    return message(tr("commitment.escalation_header"), blocks)


BUILDERS = {
    "commitment_reminder": commitment_reminder,
    "commitment_new": commitment_new,
    "commitment_blocked": commitment_blocked,
    "commitment_unreachable": commitment_unreachable,
    "commitment_escalation": commitment_escalation,
}


# -- modals -------------------------------------------------------------------------


def _text_input(block_id: str, action_id: str, label: str, multiline: bool = True, optional: bool = False, max_length: int = NOTE_LIMIT) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label, 2000),
        "element": {"type": "plain_text_input", "action_id": action_id, "multiline": multiline, "max_length": max_length},
    }


def _option(text: str, value: str) -> dict:
    return {"text": plain(text, OPTION_TEXT), "value": value}


def status_modal(form: StatusForm, tr: Translator) -> dict:
    """Busy / blocked / not applicable (a note) or snooze (a week or a date)."""
    kind = form.to
    title_key = {"busy": "title_busy", "blocked": "title_blocked", "snoozed": "title_snooze", "not_applicable": "title_not_applicable"}[kind]
    blocks: Blocks = [section(tr("commitment.modal.intro", description=form.description))]
    if kind == "snoozed":
        week = _option(tr("commitment.modal.snooze_week"), "week")
        blocks.append(
            {
                "type": "input",
                "block_id": Block.SNOOZE_CHOICE,
                "label": plain(tr("commitment.modal.snooze_choice"), 2000),
                "element": {
                    "type": "radio_buttons",
                    "action_id": Action.SNOOZE_CHOICE,
                    "initial_option": week,
                    "options": [week, _option(tr("commitment.modal.snooze_date"), "date")],
                },
            }
        )
        blocks.append(
            {
                "type": "input",
                "block_id": Block.SNOOZE_DATE,
                "optional": True,
                "label": plain(tr("commitment.modal.snooze_date_label"), 2000),
                "element": {"type": "datepicker", "action_id": Action.SNOOZE_DATE},
            }
        )
    else:
        label = tr(f"commitment.modal.note_{kind}")
        blocks.append(_text_input(Block.NOTE, Action.NOTE, label, optional=(kind == "busy")))
    return {
        "type": "modal",
        "callback_id": View.COMMIT_STATUS,
        "private_metadata": encode(form),
        "title": plain(tr(f"commitment.modal.{title_key}"), MODAL_TITLE),
        "submit": plain(tr("commitment.modal.submit"), MODAL_TITLE),
        "close": plain(tr("commitment.modal.close"), MODAL_TITLE),
        "blocks": blocks,
    }


def add_modal(vm: dict, tr: Translator) -> dict:
    """Organisation, owner (grouped per organisation), description, due date, phase."""
    organisations = [_option(o["name"], str(o["id"])) for o in vm["organisations"][:100]]
    groups = []
    for o in vm["organisations"][:100]:
        people = [_option(p["name"], str(p["id"])) for p in o["people"][:100]]
        if people:
            groups.append({"label": plain(o["name"], OPTION_TEXT), "options": people})
    phases = [_option(tr("commitment.add_modal.phase_option", number=n), str(n)) for n in (1, 2, 3)]
    phase_initial = phases[vm["current_phase"] - 1] if 1 <= vm.get("current_phase", 0) <= 3 else phases[0]
    blocks: Blocks = [
        {
            "type": "input",
            "block_id": Block.ADD_ORG,
            "label": plain(tr("commitment.add_modal.organisation"), 2000),
            "element": {"type": "static_select", "action_id": Action.ADD_ORG, "options": organisations},
        },
        {
            "type": "input",
            "block_id": Block.ADD_OWNER,
            "label": plain(tr("commitment.add_modal.owner"), 2000),
            "element": {"type": "static_select", "action_id": Action.ADD_OWNER, "option_groups": groups[:100]},
        },
        _text_input(Block.ADD_DESC, Action.ADD_DESC, tr("commitment.add_modal.description"), max_length=DESCRIPTION_LIMIT),
        {
            "type": "input",
            "block_id": Block.ADD_DUE,
            "label": plain(tr("commitment.add_modal.due"), 2000),
            "element": {"type": "datepicker", "action_id": Action.ADD_DUE},
        },
        {
            "type": "input",
            "block_id": Block.ADD_PHASE,
            "label": plain(tr("commitment.add_modal.phase"), 2000),
            "element": {"type": "static_select", "action_id": Action.ADD_PHASE, "options": phases, "initial_option": phase_initial},
        },
    ]
    return {
        "type": "modal",
        "callback_id": View.COMMIT_ADD,
        "private_metadata": encode(AddForm(vm["trajectory_id"])),
        "title": plain(tr("commitment.add_modal.title"), MODAL_TITLE),
        "submit": plain(tr("commitment.add_modal.submit"), MODAL_TITLE),
        "close": plain(tr("commitment.add_modal.close"), MODAL_TITLE),
        "blocks": blocks,
    }
